import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of the territorial network, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'network.member.apply': 'Réseau : candidature reçue (formulaire public)',
  'network.member.accept': 'Réseau : candidature acceptée',
  'network.member.refuse': 'Réseau : candidature refusée',
  'network.member.withdraw': 'Réseau : membre retiré du réseau',
  'network.member.add': 'Réseau : structure ajoutée par la coordination (annuaire ou SIRET)',
  'network.member.update': 'Réseau : structure d’un membre modifiée',
  'network.contact.add': 'Réseau : contact ajouté à une structure',
  'network.member.read': 'Réseau : fiche d’un membre et de ses contacts consultée',
  'network.member.list': 'Réseau : liste des membres et de leurs contacts consultée',
  'network.member.export': 'Réseau : membres et contacts exportés (CSV)',
  'network.contact.unsubscribe': 'Réseau : contact désabonné des actualités',
  'network.contact.purge': 'Réseau : contacts effacés (durée de conservation)',
  'network.unsubscribe.refused': 'Réseau : lien de désabonnement refusé (altéré)',
  'network.committee.create': 'Réseau : comité créé',
  'network.committee.update': 'Réseau : comité modifié',
  'network.event.update': 'Réseau : événement modifié (changements envoyés)',
  'network.roadmap.update': 'Réseau : feuille de route modifiée',
  'network.action.update': 'Réseau : action de la feuille de route modifiée',
  'network.news.digest': 'Réseau : résumé hebdomadaire des actualités envoyé',
  'network.event.create': 'Réseau : événement créé (invitations envoyées)',
  'network.event.cancel': 'Réseau : événement annulé (annulations envoyées)',
  'network.event.minutes': 'Réseau : compte rendu et présences enregistrés',
  'network.event.decision': 'Réseau : décision enregistrée',
  'network.event.register': 'Réseau : inscription à un événement',
  'network.event.read': 'Réseau : inscrits et invités d’un événement consultés',
  'network.roadmap.create': 'Réseau : feuille de route créée',
  'network.action.create': 'Réseau : action de la feuille de route créée',
  'network.action.status': 'Réseau : statut d’une action changé',
  'network.news.publish': 'Réseau : actualité publiée (envoyée aux membres)',
  'network.feed.reset': 'Réseau : lien du calendrier du réseau renouvelé',
  'network.contact.read': 'Réseau : fiche d’un contact consultée',
  'network.contact.invite': 'Réseau : contact invité à créer un compte sur Relais',
  'network.contact.feed.send': 'Réseau : lien de l’agenda d’un contact envoyé',
  'network.contact.feed.reset': 'Réseau : lien de l’agenda d’un contact renouvelé',
  'network.contact.frequency': 'Réseau : un contact a choisi comment recevoir les actualités',
  'network.minutes.download': 'Réseau : compte rendu téléchargé (PDF)',
  'network.minutes.signed': 'Réseau : compte rendu signé joint (PDF, nouvelle version)',
  'network.action.porteur': 'Réseau : porteur d’une action ajouté ou retiré',
  'network.action.cofinancing': 'Réseau : cofinancement d’une action ajouté ou retiré',
  'network.grant.create': 'Réseau : demande de subvention enregistrée',
  'network.grant.status': 'Réseau : statut d’une demande de subvention changé',
  'network.roadmap.document': 'Réseau : nouvelle version du document d’une feuille de route',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    reseau: typeof AUDIT_ACTIONS;
  }
}
