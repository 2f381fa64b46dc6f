/** An error's JSON body in the `/api/v1` documentation (and serialisation), for one status. */
export const errorBody = (description: string) => ({
  type: 'object',
  description,
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'code de l’erreur, ex. `unauthorized`' },
    message: { type: 'string', description: 'explication en français' },
  },
});

/** The refusals of a route for helpers' tokens. */
export const helperTokenErrors = {
  401: errorBody('Jeton absent, invalide ou révoqué'),
  403: errorBody('Le titulaire du jeton n’est pas médiateur numérique'),
};

/** A page of a list: its items, their total, the page and its size. */
export const pageBody = (item: object) => ({
  type: 'object',
  required: ['total', 'page', 'limit', 'items'],
  properties: {
    total: { type: 'integer' },
    page: { type: 'integer' },
    limit: { type: 'integer' },
    items: { type: 'array', items: item },
  },
});
