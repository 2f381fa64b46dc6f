/** The OpenAPI document as a readable page: what a developer needs, without a script. */

type Parameter = {
  name: string;
  in: string;
  description?: string;
  required?: boolean;
  schema?: { type?: string };
};
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
};
export type OpenApiDocument = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }): JSX.Element {
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
  return (
    <section class="api-operation" aria-labelledby={id}>
      <h3 id={id}>
        <code safe>{`${method.toUpperCase()} ${path}`}</code>
      </h3>
      {op.summary ? <p safe>{op.summary}</p> : ''}
      {op.parameters?.length ? (
        <section class="table-wrap" tabindex="0" aria-label={`Paramètres de ${path}`}>
          <table>
            <caption class="visually-hidden" safe>{`Paramètres de ${path}`}</caption>
            <thead>
              <tr>
                <th scope="col">Paramètre</th>
                <th scope="col">Où</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {op.parameters.map((p) => (
                <tr>
                  <td>
                    <code safe>{p.name}</code>
                    {p.required ? ' (obligatoire)' : ''}
                  </td>
                  <td safe>{p.in === 'query' ? 'requête' : p.in === 'path' ? 'chemin' : p.in}</td>
                  <td safe>{p.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        ''
      )}
      <p safe>
        {`Réponses : ${Object.entries(op.responses ?? {})
          .map(
            ([code, r]) =>
              `${code}${r.description && r.description !== 'Default Response' ? ` (${r.description})` : ''}`,
          )
          .join(', ')}`}
      </p>
    </section>
  );
}

export function ApiDocsPage({ doc }: { doc: OpenApiDocument }): JSX.Element {
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as Operation })),
  );
  return (
    <>
      <h1>API de Relais</h1>
      <p>
        Adresse de base : <code>/api/v1</code>. Les données publiques (lieux, structures, services) se lisent
        sans authentification ; le reste demande un jeton personnel envoyé dans l’en-tête{' '}
        <code>Authorization: Bearer &lt;jeton&gt;</code>.
      </p>
      {doc.info.description ? <p safe>{doc.info.description}</p> : ''}
      <p>
        Description complète au format OpenAPI 3.1 : <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
      </p>
      <h2>Opérations</h2>
      {operations.map((o) => (
        <OperationView method={o.method} path={o.path} op={o.op} />
      ))}
    </>
  );
}
