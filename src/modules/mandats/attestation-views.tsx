import { ErrorSummary, Field, type FieldErrors, Notice } from '../../platform/ui/components.tsx';
import type { AttestationDocument } from './attestation.ts';
import { safeDate } from './mandate-views.tsx';
import { demarcheLabel, STATUTS, type Statut } from './vocabulary.ts';

/** The attestation as a page to print (the browser's print drops the site's chrome). */
export function AttestationPage(props: {
  document: AttestationDocument;
  /** QR code of the verification address, SVG markup made by `qrcode` (no outside text in it). */
  safeQrSvg: string;
  pdfHref: string;
  backHref: string;
}): JSX.Element {
  const d = props.document;
  const safeQrSvg = props.safeQrSvg;
  return (
    <article class="mandat-attestation">
      <h1 safe>{d.title}</h1>
      <p class="mandat-attestation__issuer" safe>
        {d.issuer}
      </p>
      <p class="button-group mandat-no-print">
        <a class="button" href={props.pdfHref}>
          Télécharger en PDF
        </a>
        <a class="button button--secondary" href={props.backHref}>
          Retour au mandat
        </a>
      </p>
      <p class="mandat-no-print">
        Pour imprimer cette page, utilisez la commande Imprimer de votre navigateur.
      </p>
      {d.sections.map((s) => (
        <section>
          <h2 safe>{s.heading}</h2>
          {s.paragraphs.map((p) => (
            <p safe>{p}</p>
          ))}
          {s.items ? (
            <ul>
              {s.items.map((i) => (
                <li safe>{i}</li>
              ))}
            </ul>
          ) : (
            ''
          )}
        </section>
      ))}
      {d.signatures.length > 0 ? (
        <section aria-labelledby="signatures">
          <h2 id="signatures">Signatures</h2>
          <p safe>{d.signatures[0]}</p>
          <div class="mandat-signatures">
            <p class="mandat-signature" safe>{`Signature de la personne : ${d.signatures[1] ?? ''}`}</p>
            <p class="mandat-signature" safe>{`Signature de l’aidant : ${d.signatures[2] ?? ''}`}</p>
          </div>
        </section>
      ) : (
        ''
      )}
      <section class="mandat-verify" aria-labelledby="verifier">
        <div class="mandat-verify__qr" role="img" aria-label="QR code de la page de vérification">
          {safeQrSvg}
        </div>
        <div>
          <h2 id="verifier">Vérifier ce mandat</h2>
          <p>
            <a href={d.verifyUrl} safe>
              {d.verifyUrl}
            </a>
          </p>
          <p>
            Empreinte SHA-256 :{' '}
            <code class="mandat-fingerprint" safe>
              {d.fingerprint}
            </code>
          </p>
          <p safe>{d.footer}</p>
        </div>
      </section>
    </article>
  );
}

/** The public form: type the fingerprint printed under the QR code. */
export function VerificationForm(props: { value: string; errors: FieldErrors }): JSX.Element {
  return (
    <>
      <h1>Vérifier un mandat</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        Une attestation de mandat porte une empreinte de 64 caractères et un QR code. Saisissez l’empreinte
        pour savoir si le mandat est valide, révoqué ou expiré. Cette page ne donne aucune autre information
        sur la personne que ses initiales.
      </p>
      <form method="get" action="/mandats/verifier" novalidate>
        <Field
          name="empreinte"
          label="Empreinte de l’attestation"
          hint="64 chiffres et lettres de a à f, imprimés sous le QR code. Les espaces sont ignorés."
          value={props.value}
          error={props.errors.empreinte}
          autocomplete="off"
          spellcheck={false}
          inputClass="mandat-fingerprint-input"
        />
        <button type="submit" class="button">
          Vérifier
        </button>
      </form>
    </>
  );
}

export type Verification = {
  statut: Statut;
  /** The structure that holds the mandate: whom to ask about it. */
  structure: string;
  fin: Date | null;
  initiales: string;
  demarches: { demarche: string; revoquee: boolean }[];
};

const VERDICTS: Partial<Record<Statut, string>> = {
  actif: 'Ce mandat est valide.',
  revoque: 'Ce mandat est révoqué : il ne permet plus aucune démarche.',
  expire: 'Ce mandat est expiré : il ne permet plus aucune démarche.',
};

/**
 * What the public may know of a mandate: its state, démarches, end, the structure that holds it
 * and the person's initials.
 */
export function VerificationResult({ v }: { v: Verification }): JSX.Element {
  const covered = v.demarches.filter((d) => !d.revoquee);
  const revoked = v.demarches.filter((d) => d.revoquee);
  const verdict = VERDICTS[v.statut] ?? `Ce mandat n’est pas valide (${STATUTS[v.statut].toLowerCase()}).`;
  return (
    <>
      <h1>Vérification d’un mandat</h1>
      <Notice kind={v.statut === 'actif' ? 'success' : undefined}>
        <p class="mandat-verdict">
          <strong safe>{verdict}</strong>
        </p>
      </Notice>
      <dl class="summary-list">
        <dt>Personne</dt>
        <dd safe>{v.initiales || '—'}</dd>
        <dt>Structure qui l’a établi</dt>
        <dd safe>{v.structure}</dd>
        <dt>{v.statut === 'actif' ? 'Valide jusqu’au' : 'Fin prévue'}</dt>
        <dd>{safeDate(v.fin)}</dd>
        <dt>{v.statut === 'actif' ? 'Démarches couvertes' : 'Démarches qu’il couvrait'}</dt>
        <dd>
          {(v.statut === 'actif' ? covered : v.demarches).length === 0 ? (
            'Aucune'
          ) : (
            <ul class="mandat-list">
              {(v.statut === 'actif' ? covered : v.demarches).map((d) => (
                <li safe>{demarcheLabel(d.demarche)}</li>
              ))}
            </ul>
          )}
        </dd>
        {v.statut === 'actif' && revoked.length > 0 ? (
          <>
            <dt>Démarches révoquées</dt>
            <dd>
              <ul class="mandat-list">
                {revoked.map((d) => (
                  <li safe>{demarcheLabel(d.demarche)}</li>
                ))}
              </ul>
            </dd>
          </>
        ) : (
          ''
        )}
      </dl>
      <p>
        <a href="/mandats/verifier">Vérifier une autre empreinte</a>
      </p>
    </>
  );
}

export function UnknownFingerprint(): JSX.Element {
  return (
    <>
      <h1>Vérification d’un mandat</h1>
      <p>
        Aucun mandat ne correspond à cette empreinte. Vérifiez qu’elle est recopiée en entier, sans erreur.
      </p>
      <p>
        <a href="/mandats/verifier">Saisir une autre empreinte</a>
      </p>
    </>
  );
}
