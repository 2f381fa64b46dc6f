/*
 * Relais: a « Copier le lien » button beside a link shown once (a statistics share). Without
 * JavaScript the field stays, read-only, for the person to select and copy. Plain ES2017.
 *
 *   <input data-copy-label="Copier le lien">   the field whose value the button copies
 */
(() => {
  function offer(input) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button--secondary';
    button.textContent = input.dataset.copyLabel;
    const status = document.createElement('p');
    status.setAttribute('role', 'status');
    input.insertAdjacentElement('afterend', button);
    button.insertAdjacentElement('afterend', status);
    button.addEventListener('click', () => {
      input.select();
      const copied = navigator.clipboard
        ? navigator.clipboard.writeText(input.value)
        : Promise.reject(new Error('no clipboard'));
      copied
        .then(() => {
          status.textContent = 'Lien copié : vous pouvez le coller dans un message.';
        })
        .catch(() => {
          status.textContent = 'Le lien est sélectionné : copiez-le avec Ctrl+C (ou Cmd+C sur Mac).';
        });
    });
  }

  function start() {
    for (const input of document.querySelectorAll('input[data-copy-label]')) offer(input);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
