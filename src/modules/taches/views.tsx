import { type JobRun, summaryText } from '../../platform/jobs/index.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { CsrfField, Notice } from '../../platform/ui/components.tsx';
import { type JobStatus, runState } from './service.ts';

/** What the run says beyond its state: its summary, or what went wrong. */
const runDetail = (run: JobRun) => (run.ok === false ? (run.error ?? '') : summaryText(run.summary));

function Problem({ title, text }: { title: string; text: string }): JSX.Element {
  return (
    <div class="error-summary" role="alert" aria-labelledby="resume-erreurs" tabindex="-1">
      <h2 id="resume-erreurs" safe>
        {title}
      </h2>
      <p safe>{text}</p>
    </div>
  );
}

/** The outcome of the run an administrator just asked for. */
function RunNotice({ run, label }: { run: JobRun; label: string }): JSX.Element {
  if (run.ok === false) return <Problem title="La tâche a échoué" text={`${label} : ${run.error ?? ''}`} />;
  const detail = runDetail(run);
  return (
    <Notice kind="success">
      <p safe>{`${label} : exécution ${runState(run)}${detail ? ` — ${detail}` : ''}.`}</p>
    </Notice>
  );
}

function LastRun({ run }: { run: JobRun | undefined }): JSX.Element {
  if (!run) return <>jamais</>;
  const detail = runDetail(run);
  return (
    <span safe>
      {`le ${formatDateTime(run.started_at, 'short')} par ${run.started_by} : ${runState(run)}${detail ? ` — ${detail}` : ''}`}
    </span>
  );
}

export function TachesPage(props: {
  statuses: JobStatus[];
  runs: JobRun[];
  scheduling: boolean;
  csrf: string;
  /** The run just asked for, after the redirection. */
  done?: JobRun | undefined;
  error?: string | undefined;
}): JSX.Element {
  const labels = new Map(props.statuses.map(({ job }) => [job.name, job.label]));
  const label = (name: string) => labels.get(name) ?? name;
  return (
    <>
      <h1>Tâches planifiées</h1>
      <p>
        Relais lance ces tâches tout seul, aux heures indiquées (heure de Paris). Chaque exécution est
        enregistrée ci-dessous, qu’elle soit planifiée ou lancée à la main.
      </p>
      {props.error ? <Problem title="Il y a un problème" text={props.error} /> : ''}
      {props.done ? <RunNotice run={props.done} label={label(props.done.name)} /> : ''}
      {props.scheduling ? (
        ''
      ) : (
        <Notice>
          <p>
            La planification est désactivée sur ce serveur (<code>RELAIS_JOBS=off</code>) : les tâches ne
            partent que si on les lance.
          </p>
        </Notice>
      )}
      {props.statuses.length === 0 ? <p>Aucune tâche planifiée.</p> : ''}
      {props.statuses.map(({ job, when, next, last }) => (
        <section class="card" aria-labelledby={`tache-${job.name}`}>
          <h2 class="h3" id={`tache-${job.name}`} safe>
            {job.label}
          </h2>
          <dl class="summary-list">
            <div>
              <dt>Nom</dt>
              <dd>
                <code safe>{job.name}</code>
              </dd>
            </div>
            <div>
              <dt>Quand</dt>
              <dd safe>{when}</dd>
            </div>
            <div>
              <dt>Prochaine exécution</dt>
              <dd safe>{formatDateTime(next, 'short')}</dd>
            </div>
            <div>
              <dt>Dernière exécution</dt>
              <dd>
                <LastRun run={last} />
              </dd>
            </div>
          </dl>
          <form method="post" action="/admin/taches/lancer">
            <CsrfField token={props.csrf} />
            <input type="hidden" name="tache" value={job.name} />
            <button type="submit" class="button button--secondary">
              Lancer maintenant<span class="visually-hidden" safe>{` : ${job.label}`}</span>
            </button>
          </form>
        </section>
      ))}
      <h2>Dernières exécutions</h2>
      {props.runs.length === 0 ? (
        <p>Aucune tâche n’a encore été exécutée.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Les exécutions les plus récentes d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Début</th>
                <th scope="col">Tâche</th>
                <th scope="col">Lancée par</th>
                <th scope="col">Résultat</th>
                <th scope="col">Détail</th>
              </tr>
            </thead>
            <tbody>
              {props.runs.map((run) => (
                <tr>
                  <td safe>{formatDateTime(run.started_at, 'short')}</td>
                  <td safe>{label(run.name)}</td>
                  <td safe>{run.started_by}</td>
                  <td safe>{runState(run)}</td>
                  <td safe>{runDetail(run) || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
