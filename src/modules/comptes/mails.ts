import type { Mail } from '../../platform/mail.ts';

export function invitationMail(to: string, name: string, link: string): Mail {
  return {
    to,
    subject: 'Votre invitation à Relais',
    text: [
      `Bonjour ${name},`,
      '',
      'Vous êtes invité à utiliser Relais, l’outil d’inclusion numérique de votre territoire.',
      'Pour créer votre accès, ouvrez ce lien (valable 7 jours, une seule fois) :',
      link,
      '',
      'Vous choisirez un mot de passe, puis activerez la double authentification avec une application sur votre téléphone.',
      'Si vous n’attendiez pas ce message, ignorez-le.',
    ].join('\n'),
    oneTime: true,
  };
}
