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
