// The console's strings in French, Dutch and English: one entry per key,
// every language present and non-empty (tests/browser/catalogue.mjs fails
// otherwise).  A key is used by app.js (t("key")) or by index.html
// (data-i18n="key" for text, data-i18n-label="key" for aria-label).
// Field names and codes of the API are never translated here; only what a
// person reads.

export const languages = ["fr", "nl", "en"];

export const languageNames = { fr: "Français", nl: "Nederlands", en: "English" };

export const strings = {
  "app.title": { fr: "refgw — console", nl: "refgw — console", en: "refgw — console" },
  "app.name": { fr: "refgw", nl: "refgw", en: "refgw" },
  "app.tagline": {
    fr: "Passerelle d’orientation entre organisations",
    nl: "Doorverwijzingsplatform tussen organisaties",
    en: "Referral gateway between organisations",
  },
  "app.loading": { fr: "Chargement…", nl: "Bezig met laden…", en: "Loading…" },
  "app.skip": {
    fr: "Aller au contenu",
    nl: "Naar de inhoud",
    en: "Skip to content",
  },
  "language.label": { fr: "Langue", nl: "Taal", en: "Language" },
  "language.saved": {
    fr: "Votre langue est enregistrée.",
    nl: "Uw taal is opgeslagen.",
    en: "Your language is saved.",
  },

  "signIn.title": { fr: "Connexion", nl: "Aanmelden", en: "Sign in" },
  "signIn.intro": {
    fr: "Connectez-vous avec l’adresse e-mail et le mot de passe de votre compte.",
    nl: "Meld u aan met het e-mailadres en het wachtwoord van uw account.",
    en: "Sign in with your account’s email address and password.",
  },
  "signIn.email": { fr: "Adresse e-mail", nl: "E-mailadres", en: "Email address" },
  "signIn.password": { fr: "Mot de passe", nl: "Wachtwoord", en: "Password" },
  "signIn.submit": { fr: "Se connecter", nl: "Aanmelden", en: "Sign in" },
  "signIn.signedOut": {
    fr: "Vous êtes déconnecté.",
    nl: "U bent afgemeld.",
    en: "You are signed out.",
  },
  "signIn.missing": {
    fr: "Indiquez votre adresse e-mail et votre mot de passe.",
    nl: "Vul uw e-mailadres en uw wachtwoord in.",
    en: "Enter your email address and your password.",
  },

  "secondFactor.title": {
    fr: "Code de vérification",
    nl: "Verificatiecode",
    en: "Verification code",
  },
  "secondFactor.intro": {
    fr: "Saisissez le code à 6 chiffres affiché par votre application d’authentification.",
    nl: "Voer de 6-cijferige code in die uw authenticatie-app toont.",
    en: "Enter the 6-digit code shown by your authenticator app.",
  },
  "secondFactor.code": { fr: "Code à 6 chiffres", nl: "Code van 6 cijfers", en: "6-digit code" },
  "secondFactor.submit": { fr: "Vérifier", nl: "Controleren", en: "Verify" },
  "secondFactor.restart": {
    fr: "Recommencer la connexion",
    nl: "Opnieuw aanmelden",
    en: "Start signing in again",
  },
  "secondFactor.invalidCode": {
    fr: "Le code compte exactement 6 chiffres.",
    nl: "De code bestaat uit precies 6 cijfers.",
    en: "The code is exactly 6 digits.",
  },

  "me.title": { fr: "Qui suis-je ?", nl: "Wie ben ik?", en: "Who am I" },
  "me.person": { fr: "Vous", nl: "U", en: "You" },
  "me.name": { fr: "Nom", nl: "Naam", en: "Name" },
  "me.email": { fr: "Adresse e-mail", nl: "E-mailadres", en: "Email address" },
  "me.role": { fr: "Rôle", nl: "Rol", en: "Role" },
  "me.organisation": { fr: "Organisation", nl: "Organisatie", en: "Organisation" },
  "me.organisationName": { fr: "Nom", nl: "Naam", en: "Name" },
  "me.organisationKind": { fr: "Type", nl: "Soort", en: "Kind" },
  "me.session": { fr: "Session", nl: "Sessie", en: "Session" },
  "me.expiresAt": {
    fr: "Fin de la session au plus tard",
    nl: "Einde van de sessie uiterlijk",
    en: "Session ends at the latest",
  },
  "me.idleExpiresAt": {
    fr: "Fin en cas d’inactivité",
    nl: "Einde bij inactiviteit",
    en: "Ends if idle",
  },
  "me.logout": { fr: "Se déconnecter", nl: "Afmelden", en: "Sign out" },

  "role.org_admin": {
    fr: "Administrateur de l’organisation",
    nl: "Beheerder van de organisatie",
    en: "Organisation administrator",
  },
  "role.worker": { fr: "Travailleur", nl: "Medewerker", en: "Worker" },
  "role.coordinator_admin": {
    fr: "Administrateur de la coordination",
    nl: "Beheerder van de coördinatie",
    en: "Coordination administrator",
  },

  "kind.justice_aid": { fr: "Aide aux justiciables", nl: "Justitieel welzijnswerk", en: "Justice aid" },
  "kind.street_work": { fr: "Travail de rue", nl: "Straathoekwerk", en: "Street work" },
  "kind.homeless_service": {
    fr: "Service d’aide aux sans-abri",
    nl: "Dienst voor daklozenhulp",
    en: "Homeless service",
  },
  "kind.cpas": { fr: "CPAS", nl: "OCMW", en: "Public social welfare centre (CPAS/OCMW)" },
  "kind.housing_operator": {
    fr: "Opérateur de logement",
    nl: "Huisvestingsoperator",
    en: "Housing operator",
  },
  "kind.coordinator": { fr: "Coordination", nl: "Coördinatie", en: "Coordinator" },
  "kind.home_guidance": {
    fr: "Accompagnement à domicile",
    nl: "Woonbegeleiding",
    en: "Home guidance",
  },

  "error.title": { fr: "Un problème est survenu", nl: "Er is een probleem", en: "Something went wrong" },
  "error.network": {
    fr: "Le serveur ne répond pas. Vérifiez votre connexion et réessayez.",
    nl: "De server antwoordt niet. Controleer uw verbinding en probeer opnieuw.",
    en: "The server does not answer. Check your connection and try again.",
  },
  "error.unexpected": {
    fr: "Réponse inattendue du serveur (statut {status}).",
    nl: "Onverwacht antwoord van de server (status {status}).",
    en: "Unexpected answer from the server (status {status}).",
  },
  "error.sessionEnded": {
    fr: "Votre session a pris fin. Connectez-vous à nouveau.",
    nl: "Uw sessie is beëindigd. Meld u opnieuw aan.",
    en: "Your session has ended. Please sign in again.",
  },
  "error.retryAfter": {
    fr: "Réessayez dans {seconds} secondes.",
    nl: "Probeer opnieuw over {seconds} seconden.",
    en: "Try again in {seconds} seconds.",
  },
  // issue 18: the housing officer's and the coordinator's pages (housing.js,
  // coordinator.js, pagekit.js), and the codes they show.
  "nav.label": {
    fr: "Pages de votre rôle",
    nl: "Pagina's van uw rol",
    en: "Your role's pages",
  },
  "kit.actions": {
    fr: "Actions",
    nl: "Acties",
    en: "Actions",
  },
  "kit.csv": {
    fr: "Exporter en CSV",
    nl: "Exporteren als CSV",
    en: "Export as CSV",
  },
  "kit.csvDone": {
    fr: "Export CSV prêt : {count} lignes.",
    nl: "CSV-export klaar: {count} rijen.",
    en: "CSV export ready: {count} rows.",
  },
  "kit.loading": {
    fr: "Chargement…",
    nl: "Bezig met laden…",
    en: "Loading…",
  },
  "kit.more": {
    fr: "Afficher la suite",
    nl: "Meer tonen",
    en: "Show more",
  },
  "kit.shown": {
    fr: "{count} lignes affichées.",
    nl: "{count} rijen getoond.",
    en: "{count} rows shown.",
  },
  "kit.suppressed": {
    fr: "masqué",
    nl: "verborgen",
    en: "suppressed",
  },
  "kit.suppressedLong": {
    fr: "masqué (moins de 5 personnes)",
    nl: "verborgen (minder dan 5 personen)",
    en: "suppressed (fewer than 5 people)",
  },
  "kit.threshold": {
    fr: "Un nombre de personnes inférieur à {count} est masqué pour protéger les personnes.",
    nl: "Een aantal personen onder {count} wordt verborgen om de personen te beschermen.",
    en: "A count of people below {count} is suppressed to protect the people.",
  },
  "kit.item": {
    fr: "Élément",
    nl: "Onderdeel",
    en: "Item",
  },
  "housing.nav.sites": {
    fr: "Sites",
    nl: "Sites",
    en: "Sites",
  },
  "housing.nav.units": {
    fr: "Logements",
    nl: "Woningen",
    en: "Units",
  },
  "housing.nav.proposals": {
    fr: "Propositions",
    nl: "Voorstellen",
    en: "Proposals",
  },
  "housing.nav.occupancies": {
    fr: "Occupations et alertes",
    nl: "Bewoningen en waarschuwingen",
    en: "Occupancies and alerts",
  },
  "housing.status": {
    fr: "Statut",
    nl: "Status",
    en: "Status",
  },
  "housing.period": {
    fr: "Période",
    nl: "Periode",
    en: "Period",
  },
  "housing.periodFrom": {
    fr: "Début de la convention",
    nl: "Begin van de overeenkomst",
    en: "Convention starts",
  },
  "housing.periodUntil": {
    fr: "Fin de la convention",
    nl: "Einde van de overeenkomst",
    en: "Convention ends",
  },
  "housing.openEnded": {
    fr: "depuis le {from}, sans fin",
    nl: "sinds {from}, zonder einde",
    en: "from {from}, open-ended",
  },
  "housing.sites.title": {
    fr: "Vos sites",
    nl: "Uw sites",
    en: "Your sites",
  },
  "housing.sites.caption": {
    fr: "Les sites de votre organisation",
    nl: "De sites van uw organisatie",
    en: "Your organisation's sites",
  },
  "housing.sites.empty": {
    fr: "Aucun site encore. Ajoutez votre premier site avec le formulaire ci-dessous, puis publiez-y des logements.",
    nl: "Nog geen site. Voeg uw eerste site toe met het formulier hieronder en publiceer er dan woningen.",
    en: "No site yet. Add your first site with the form below, then publish units in it.",
  },
  "housing.site.name": {
    fr: "Site",
    nl: "Site",
    en: "Site",
  },
  "housing.site.commune": {
    fr: "Commune",
    nl: "Gemeente",
    en: "Municipality",
  },
  "housing.site.managingPartner": {
    fr: "Gestionnaire",
    nl: "Beheerder",
    en: "Managing partner",
  },
  "housing.site.units": {
    fr: "Logements",
    nl: "Woningen",
    en: "Units",
  },
  "housing.site.unitsPlanned": {
    fr: "Nombre de logements prévus",
    nl: "Aantal geplande woningen",
    en: "Units planned",
  },
  "housing.site.new": {
    fr: "Ajouter un site",
    nl: "Een site toevoegen",
    en: "Add a site",
  },
  "housing.site.create": {
    fr: "Ajouter le site",
    nl: "Site toevoegen",
    en: "Add the site",
  },
  "housing.site.created": {
    fr: "Le site {name} est ajouté.",
    nl: "De site {name} is toegevoegd.",
    en: "The site {name} is added.",
  },
  "housing.site.close": {
    fr: "Clôturer {name}",
    nl: "{name} afsluiten",
    en: "Close {name}",
  },
  "housing.site.reopen": {
    fr: "Rouvrir {name}",
    nl: "{name} heropenen",
    en: "Reopen {name}",
  },
  "housing.site.saved": {
    fr: "Le site {name} est enregistré.",
    nl: "De site {name} is opgeslagen.",
    en: "The site {name} is saved.",
  },
  "housing.table.title": {
    fr: "Tableau des sites du partenariat",
    nl: "Sitetabel van het partnerschap",
    en: "The partnership's site table",
  },
  "housing.table.caption": {
    fr: "Les sites du partenariat {name}",
    nl: "De sites van het partnerschap {name}",
    en: "The sites of the partnership {name}",
  },
  "housing.table.empty": {
    fr: "Votre organisation n'est membre d'aucun partenariat. Le coordinateur peut l'y ajouter.",
    nl: "Uw organisatie is geen lid van een partnerschap. De coördinator kan haar toevoegen.",
    en: "Your organisation is a member of no partnership. The coordinator can add it to one.",
  },
  "housing.table.noSites": {
    fr: "Aucun site dans ce partenariat. Un opérateur membre peut y rattacher un site.",
    nl: "Geen site in dit partnerschap. Een operator die lid is kan er een site aan koppelen.",
    en: "No site in this partnership. A member operator can attach a site to it.",
  },
  "housing.table.operator": {
    fr: "Opérateur",
    nl: "Operator",
    en: "Operator",
  },
  "housing.table.occupancies": {
    fr: "Occupations",
    nl: "Bewoningen",
    en: "Occupancies",
  },
  "housing.table.housedNow": {
    fr: "Logées aujourd'hui",
    nl: "Nu gehuisvest",
    en: "Housed now",
  },
  "housing.units.title": {
    fr: "Vos logements",
    nl: "Uw woningen",
    en: "Your units",
  },
  "housing.units.caption": {
    fr: "Les logements de votre organisation",
    nl: "De woningen van uw organisatie",
    en: "Your organisation's units",
  },
  "housing.units.empty": {
    fr: "Aucun logement encore. Publiez-en un avec le formulaire ci-dessous.",
    nl: "Nog geen woning. Publiceer er een met het formulier hieronder.",
    en: "No unit yet. Publish one with the form below.",
  },
  "housing.units.emptyNoSite": {
    fr: "Aucun logement encore. Ajoutez d'abord un site (page Sites), puis publiez-y un logement.",
    nl: "Nog geen woning. Voeg eerst een site toe (pagina Sites) en publiceer er dan een woning.",
    en: "No unit yet. Add a site first (the Sites page), then publish a unit in it.",
  },
  "housing.unit.new": {
    fr: "Publier un logement",
    nl: "Een woning publiceren",
    en: "Publish a unit",
  },
  "housing.unit.create": {
    fr: "Enregistrer le logement",
    nl: "Woning opslaan",
    en: "Save the unit",
  },
  "housing.unit.created": {
    fr: "Le logement {name} est enregistré.",
    nl: "De woning {name} is opgeslagen.",
    en: "The unit {name} is saved.",
  },
  "housing.unit.label": {
    fr: "Logement",
    nl: "Woning",
    en: "Unit",
  },
  "housing.unit.site": {
    fr: "Site",
    nl: "Site",
    en: "Site",
  },
  "housing.unit.chooseSite": {
    fr: "Choisissez un site",
    nl: "Kies een site",
    en: "Choose a site",
  },
  "housing.unit.type": {
    fr: "Type",
    nl: "Type",
    en: "Type",
  },
  "housing.unit.bedrooms": {
    fr: "Chambres",
    nl: "Slaapkamers",
    en: "Bedrooms",
  },
  "housing.unit.accessibility": {
    fr: "Accessibilité",
    nl: "Toegankelijkheid",
    en: "Accessibility",
  },
  "housing.unit.address": {
    fr: "Adresse",
    nl: "Adres",
    en: "Address",
  },
  "housing.unit.addressHint": {
    fr: "Partagée seulement avec qui reçoit un consentement couvrant le contact.",
    nl: "Enkel gedeeld met wie een toestemming voor contactgegevens heeft.",
    en: "Shared only with those a consent covering contact allows.",
  },
  "housing.unit.contribution": {
    fr: "Participation mensuelle (EUR)",
    nl: "Maandelijkse bijdrage (EUR)",
    en: "Monthly contribution (EUR)",
  },
  "housing.unit.availableFrom": {
    fr: "Disponible à partir du",
    nl: "Beschikbaar vanaf",
    en: "Available from",
  },
  "housing.unit.availableUntil": {
    fr: "Disponible jusqu'au",
    nl: "Beschikbaar tot",
    en: "Available until",
  },
  "housing.unit.terms": {
    fr: "Conditions",
    nl: "Voorwaarden",
    en: "Terms",
  },
  "housing.unit.maxStay": {
    fr: "Séjour maximal (mois)",
    nl: "Maximaal verblijf (maanden)",
    en: "Longest stay (months)",
  },
  "housing.unit.audience": {
    fr: "Public",
    nl: "Doelpubliek",
    en: "Audience",
  },
  "housing.unit.publishNow": {
    fr: "Publication",
    nl: "Publicatie",
    en: "Publication",
  },
  "housing.unit.publish": {
    fr: "Publier {name}",
    nl: "{name} publiceren",
    en: "Publish {name}",
  },
  "housing.unit.withdraw": {
    fr: "Retirer {name}",
    nl: "{name} intrekken",
    en: "Withdraw {name}",
  },
  "housing.unit.published": {
    fr: "Le logement {name} est publié.",
    nl: "De woning {name} is gepubliceerd.",
    en: "The unit {name} is published.",
  },
  "housing.unit.withdrawn": {
    fr: "Le logement {name} est retiré.",
    nl: "De woning {name} is ingetrokken.",
    en: "The unit {name} is withdrawn.",
  },
  "housing.proposals.title": {
    fr: "Propositions reçues",
    nl: "Ontvangen voorstellen",
    en: "Proposals received",
  },
  "housing.proposals.caption": {
    fr: "Les propositions pour vos logements, celles à décider d'abord",
    nl: "De voorstellen voor uw woningen, eerst die te beslissen",
    en: "Proposals for your units, those to decide first",
  },
  "housing.proposals.empty": {
    fr: "Aucune proposition. Publiez un logement pour un public : ses organisations pourront y proposer des personnes.",
    nl: "Geen voorstellen. Publiceer een woning voor een doelpubliek: die organisaties kunnen er dan personen voor voorstellen.",
    en: "No proposal. Publish a unit to an audience: its organisations can then propose people for it.",
  },
  "housing.proposals.progress": {
    fr: "Lecture des propositions : logement {done} sur {total}…",
    nl: "Voorstellen lezen: woning {done} van {total}…",
    en: "Reading proposals: unit {done} of {total}…",
  },
  "housing.proposal.proposer": {
    fr: "Proposé par",
    nl: "Voorgesteld door",
    en: "Proposed by",
  },
  "housing.proposal.shares": {
    fr: "Ce que le consentement partage",
    nl: "Wat de toestemming deelt",
    en: "What the consent shares",
  },
  "housing.proposal.received": {
    fr: "Reçue le",
    nl: "Ontvangen op",
    en: "Received",
  },
  "housing.proposal.reason": {
    fr: "Motif",
    nl: "Reden",
    en: "Reason",
  },
  "housing.proposal.open": {
    fr: "Ouvrir la proposition pour {name}",
    nl: "Voorstel voor {name} openen",
    en: "Open the proposal for {name}",
  },
  "housing.proposal.title": {
    fr: "Proposition pour {name}",
    nl: "Voorstel voor {name}",
    en: "Proposal for {name}",
  },
  "housing.proposal.sharesIntro": {
    fr: "Le consentement de la personne vous partage : {categories}.",
    nl: "De toestemming van de persoon deelt met u: {categories}.",
    en: "The person's consent shares with you: {categories}.",
  },
  "housing.proposal.nothing": {
    fr: "aucune donnée",
    nl: "geen gegevens",
    en: "no data",
  },
  "housing.proposal.noData": {
    fr: "Aucune donnée partagée à lire pour cette proposition.",
    nl: "Geen gedeelde gegevens om te lezen voor dit voorstel.",
    en: "No shared data to read for this proposal.",
  },
  "housing.proposal.note": {
    fr: "Note",
    nl: "Notitie",
    en: "Note",
  },
  "housing.proposal.decide": {
    fr: "Enregistrer la décision",
    nl: "Beslissing opslaan",
    en: "Save the decision",
  },
  "housing.proposal.decision": {
    fr: "Décision",
    nl: "Beslissing",
    en: "Decision",
  },
  "housing.proposal.accept": {
    fr: "Accepter (réserve le logement)",
    nl: "Aanvaarden (reserveert de woning)",
    en: "Accept (reserves the unit)",
  },
  "housing.proposal.decline": {
    fr: "Refuser",
    nl: "Weigeren",
    en: "Decline",
  },
  "housing.proposal.noReason": {
    fr: "Aucun (pour accepter)",
    nl: "Geen (om te aanvaarden)",
    en: "None (to accept)",
  },
  "housing.proposal.accepted": {
    fr: "La proposition pour {name} est acceptée : le logement est réservé.",
    nl: "Het voorstel voor {name} is aanvaard: de woning is gereserveerd.",
    en: "The proposal for {name} is accepted: the unit is reserved.",
  },
  "housing.proposal.declined": {
    fr: "La proposition pour {name} est refusée.",
    nl: "Het voorstel voor {name} is geweigerd.",
    en: "The proposal for {name} is declined.",
  },
  "housing.occupancy.start": {
    fr: "Commencer l'occupation",
    nl: "De bewoning starten",
    en: "Start the occupancy",
  },
  "housing.occupancy.startButton": {
    fr: "Commencer l'occupation",
    nl: "Bewoning starten",
    en: "Start the occupancy",
  },
  "housing.occupancy.startDate": {
    fr: "Entrée",
    nl: "Intrek",
    en: "Moved in",
  },
  "housing.occupancy.plannedEnd": {
    fr: "Fin prévue",
    nl: "Gepland einde",
    en: "Planned end",
  },
  "housing.occupancy.ended": {
    fr: "Terminée",
    nl: "Beëindigd",
    en: "Ended",
  },
  "housing.occupancy.referent": {
    fr: "Référent",
    nl: "Referent",
    en: "Referent",
  },
  "housing.occupancy.referrer": {
    fr: "Organisation qui oriente",
    nl: "Doorverwijzende organisatie",
    en: "Referring organisation",
  },
  "housing.occupancy.started": {
    fr: "L'occupation de {name} commence.",
    nl: "De bewoning van {name} start.",
    en: "The occupancy of {name} starts.",
  },
  "housing.convention.kind": {
    fr: "Convention",
    nl: "Overeenkomst",
    en: "Convention",
  },
  "housing.convention.none": {
    fr: "Aucune convention",
    nl: "Geen overeenkomst",
    en: "No convention",
  },
  "housing.convention.reference": {
    fr: "Référence de la convention",
    nl: "Referentie van de overeenkomst",
    en: "Convention reference",
  },
  "housing.feed.progress": {
    fr: "Lecture du fil d'événements : {count} événements…",
    nl: "Gebeurtenissen lezen: {count}…",
    en: "Reading the event feed: {count} events…",
  },
  "housing.alerts.title": {
    fr: "Fins proches",
    nl: "Binnenkort afgelopen",
    en: "Ending soon",
  },
  "housing.alerts.caption": {
    fr: "Les occupations dont la fin approche",
    nl: "Bewoningen die binnenkort aflopen",
    en: "Occupancies whose end is near",
  },
  "housing.alerts.empty": {
    fr: "Aucune occupation ne se termine bientôt. Les seuils d'alerte se règlent par type de convention.",
    nl: "Geen bewoning loopt binnenkort af. De waarschuwingsdrempels stelt u per type overeenkomst in.",
    en: "No occupancy ends soon. Alert thresholds are set per kind of convention.",
  },
  "housing.alerts.when": {
    fr: "Alerte du",
    nl: "Waarschuwing van",
    en: "Alerted",
  },
  "housing.occupancies.title": {
    fr: "Occupations et conventions",
    nl: "Bewoningen en overeenkomsten",
    en: "Occupancies and conventions",
  },
  "housing.occupancies.caption": {
    fr: "Les occupations de vos logements",
    nl: "De bewoningen van uw woningen",
    en: "The occupancies of your units",
  },
  "housing.occupancies.empty": {
    fr: "Aucune occupation encore. Elle commence quand une proposition acceptée entre dans le logement (page Propositions).",
    nl: "Nog geen bewoning. Die start wanneer een aanvaard voorstel de woning betrekt (pagina Voorstellen).",
    en: "No occupancy yet. One starts when an accepted proposal moves in (the Proposals page).",
  },
  "coord.nav.organisations": {
    fr: "Organisations",
    nl: "Organisaties",
    en: "Organisations",
  },
  "coord.nav.certificates": {
    fr: "Certificats",
    nl: "Certificaten",
    en: "Certificates",
  },
  "coord.nav.admins": {
    fr: "Administrateurs",
    nl: "Beheerders",
    en: "Admins",
  },
  "coord.nav.rules": {
    fr: "Règles d'accès",
    nl: "Toegangsregels",
    en: "Access rules",
  },
  "coord.nav.reports": {
    fr: "Rapports",
    nl: "Rapporten",
    en: "Reports",
  },
  "coord.orgs.title": {
    fr: "Le répertoire",
    nl: "De gids",
    en: "The directory",
  },
  "coord.orgs.caption": {
    fr: "Les organisations et leurs programmes",
    nl: "De organisaties en hun programma's",
    en: "Organisations and their programs",
  },
  "coord.orgs.empty": {
    fr: "Aucune organisation. Enregistrez la première avec le formulaire ci-dessous.",
    nl: "Geen organisatie. Registreer de eerste met het formulier hieronder.",
    en: "No organisation. Register the first with the form below.",
  },
  "coord.org.name": {
    fr: "Organisation",
    nl: "Organisatie",
    en: "Organisation",
  },
  "coord.org.kind": {
    fr: "Type",
    nl: "Soort",
    en: "Kind",
  },
  "coord.org.programs": {
    fr: "Programmes",
    nl: "Programma's",
    en: "Programs",
  },
  "coord.org.programsHint": {
    fr: "Codes séparés par des virgules, par exemple issue.axis1",
    nl: "Codes gescheiden door komma's, bijvoorbeeld issue.axis1",
    en: "Codes separated by commas, for example issue.axis1",
  },
  "coord.org.since": {
    fr: "Depuis",
    nl: "Sinds",
    en: "Since",
  },
  "coord.org.new": {
    fr: "Enregistrer une organisation",
    nl: "Een organisatie registreren",
    en: "Register an organisation",
  },
  "coord.org.create": {
    fr: "Enregistrer",
    nl: "Registreren",
    en: "Register",
  },
  "coord.org.created": {
    fr: "L'organisation {name} est enregistrée. Invitez maintenant son administrateur (page Administrateurs).",
    nl: "De organisatie {name} is geregistreerd. Nodig nu haar beheerder uit (pagina Beheerders).",
    en: "The organisation {name} is registered. Now invite its admin (the Admins page).",
  },
  "coord.cert.title": {
    fr: "Tous les certificats",
    nl: "Alle certificaten",
    en: "Every certificate",
  },
  "coord.cert.caption": {
    fr: "Les certificats, ceux qui expirent d'abord",
    nl: "De certificaten, eerst die vervallen",
    en: "Certificates, those expiring first",
  },
  "coord.cert.empty": {
    fr: "Aucun certificat. Une organisation enregistre le sien, ou vous l'enregistrez pour elle.",
    nl: "Geen certificaat. Een organisatie registreert het hare, of u registreert het voor haar.",
    en: "No certificate. An organisation registers its own, or you register one for it.",
  },
  "coord.cert.pendingTitle": {
    fr: "Confirmations en attente",
    nl: "Wachtende bevestigingen",
    en: "Pending confirmations",
  },
  "coord.cert.pendingCaption": {
    fr: "Les certificats que leur organisation doit encore confirmer",
    nl: "Certificaten die hun organisatie nog moet bevestigen",
    en: "Certificates their organisation has still to confirm",
  },
  "coord.cert.pendingEmpty": {
    fr: "Aucune confirmation en attente.",
    nl: "Geen wachtende bevestigingen.",
    en: "No pending confirmation.",
  },
  "coord.cert.subject": {
    fr: "Sujet",
    nl: "Onderwerp",
    en: "Subject",
  },
  "coord.cert.notAfter": {
    fr: "Valable jusqu'au",
    nl: "Geldig tot",
    en: "Valid until",
  },
  "coord.cert.expiry": {
    fr: "Expiration",
    nl: "Vervaldatum",
    en: "Expiry",
  },
  "coord.cert.sha256": {
    fr: "Empreinte SHA-256",
    nl: "SHA-256-vingerafdruk",
    en: "SHA-256 fingerprint",
  },
  "coord.cert.registered": {
    fr: "Enregistré le",
    nl: "Geregistreerd op",
    en: "Registered",
  },
  "coord.cert.expired": {
    fr: "expiré",
    nl: "vervallen",
    en: "expired",
  },
  "coord.cert.revoked": {
    fr: "révoqué",
    nl: "ingetrokken",
    en: "revoked",
  },
  "coord.cert.soon": {
    fr: "expire dans {days} jours",
    nl: "vervalt over {days} dagen",
    en: "expires in {days} days",
  },
  "coord.cert.ok": {
    fr: "valable encore {days} jours",
    nl: "nog {days} dagen geldig",
    en: "valid {days} more days",
  },
  "coord.cert.progress": {
    fr: "Lecture des certificats : organisation {done} sur {total}…",
    nl: "Certificaten lezen: organisatie {done} van {total}…",
    en: "Reading certificates: organisation {done} of {total}…",
  },
  "coord.cert.count.expired": {
    fr: "{count} expirés",
    nl: "{count} vervallen",
    en: "{count} expired",
  },
  "coord.cert.count.soon": {
    fr: "{count} expirent dans les 30 jours",
    nl: "{count} vervallen binnen 30 dagen",
    en: "{count} expire within 30 days",
  },
  "coord.cert.count.ok": {
    fr: "{count} valables",
    nl: "{count} geldig",
    en: "{count} valid",
  },
  "coord.cert.count.pending": {
    fr: "{count} en attente de confirmation",
    nl: "{count} wachten op bevestiging",
    en: "{count} awaiting confirmation",
  },
  "coord.users.pick": {
    fr: "Organisation",
    nl: "Organisatie",
    en: "Organisation",
  },
  "coord.users.caption": {
    fr: "Les utilisateurs de {name}",
    nl: "De gebruikers van {name}",
    en: "The users of {name}",
  },
  "coord.users.empty": {
    fr: "Aucun utilisateur. Invitez son administrateur avec le formulaire ci-dessous.",
    nl: "Geen gebruiker. Nodig de beheerder uit met het formulier hieronder.",
    en: "No user. Invite its admin with the form below.",
  },
  "coord.user.name": {
    fr: "Nom",
    nl: "Naam",
    en: "Name",
  },
  "coord.user.email": {
    fr: "Adresse e-mail",
    nl: "E-mailadres",
    en: "Email address",
  },
  "coord.user.role": {
    fr: "Rôle",
    nl: "Rol",
    en: "Role",
  },
  "coord.user.new": {
    fr: "Inviter un utilisateur de {name}",
    nl: "Een gebruiker van {name} uitnodigen",
    en: "Invite a user of {name}",
  },
  "coord.user.invite": {
    fr: "Inviter",
    nl: "Uitnodigen",
    en: "Invite",
  },
  "coord.user.token": {
    fr: "Invitation de {name} : transmettez ce code d'activation par un canal sûr, il n'est montré qu'une fois : {token}",
    nl: "Uitnodiging van {name}: geef deze activeringscode door via een veilig kanaal, hij wordt maar één keer getoond: {token}",
    en: "Invitation of {name}: pass on this activation code by a safe channel, it is shown once only: {token}",
  },
  "coord.rules.caption": {
    fr: "Règles par type d'organisation et par action",
    nl: "Regels per soort organisatie en per actie",
    en: "Rules by kind of organisation and action",
  },
  "coord.rules.action": {
    fr: "Action",
    nl: "Actie",
    en: "Action",
  },
  "coord.rules.rule": {
    fr: "Règle",
    nl: "Regel",
    en: "Rule",
  },
  "coord.rules.allowed": {
    fr: "permis",
    nl: "toegestaan",
    en: "allowed",
  },
  "coord.rules.denied": {
    fr: "refusé",
    nl: "geweigerd",
    en: "denied",
  },
  "coord.rules.none": {
    fr: "aucune règle (refusé)",
    nl: "geen regel (geweigerd)",
    en: "no rule (denied)",
  },
  "coord.rules.legend": {
    fr: "✓ permis, ✗ refusé, · aucune règle (refusé). Une règle d'organisation l'emporte sur celle de son type.",
    nl: "✓ toegestaan, ✗ geweigerd, · geen regel (geweigerd). Een regel van een organisatie gaat voor die van haar soort.",
    en: "✓ allowed, ✗ denied, · no rule (denied). An organisation's rule overrides its kind's.",
  },
  "coord.rules.overrides": {
    fr: "Règles propres à une organisation",
    nl: "Regels van één organisatie",
    en: "Rules of one organisation",
  },
  "coord.rules.noOverrides": {
    fr: "Aucune règle propre à une organisation : chacune suit celles de son type.",
    nl: "Geen regel van één organisatie: elke volgt die van haar soort.",
    en: "No organisation has rules of its own: each follows its kind's.",
  },
  "coord.report.occupancy": {
    fr: "Occupation par site",
    nl: "Bewoning per site",
    en: "Occupancy per site",
  },
  "coord.report.occupancyCaption": {
    fr: "Occupations par site (opérateur)",
    nl: "Bewoningen per site (operator)",
    en: "Occupancies per site (operator)",
  },
  "coord.report.occupiedDays": {
    fr: "Jours occupés",
    nl: "Bewoonde dagen",
    en: "Occupied days",
  },
  "coord.report.vacantDays": {
    fr: "Jours vacants",
    nl: "Leegstaande dagen",
    en: "Vacant days",
  },
  "coord.report.noSites": {
    fr: "Aucun site encore : le rapport se remplit quand les opérateurs publient leurs sites.",
    nl: "Nog geen site: het rapport vult zich wanneer operatoren hun sites publiceren.",
    en: "No site yet: the report fills as operators publish their sites.",
  },
  "coord.report.referrals": {
    fr: "Orientations par mois",
    nl: "Doorverwijzingen per maand",
    en: "Referrals by month",
  },
  "coord.report.referralsCaption": {
    fr: "Orientations par mois, programme, statut et issue",
    nl: "Doorverwijzingen per maand, programma, status en uitkomst",
    en: "Referrals by month, program, status and outcome",
  },
  "coord.report.referralsUnit": {
    fr: "Orientations",
    nl: "Doorverwijzingen",
    en: "Referrals",
  },
  "coord.report.noReferrals": {
    fr: "Aucune orientation encore.",
    nl: "Nog geen doorverwijzingen.",
    en: "No referral yet.",
  },
  "role.org_admin": {
    fr: "Administrateur de l'organisation",
    nl: "Beheerder van de organisatie",
    en: "Organisation admin",
  },
  "role.coordinator_admin": {
    fr: "Administrateur du coordinateur",
    nl: "Beheerder van de coördinator",
    en: "Coordinator admin",
  },
  "kind.justice_aid": {
    fr: "Aide aux justiciables",
    nl: "Justitieel welzijnswerk",
    en: "Justice aid",
  },
  "kind.street_work": {
    fr: "Travail de rue",
    nl: "Straathoekwerk",
    en: "Street work",
  },
  "kind.homeless_service": {
    fr: "Service aux sans-abri",
    nl: "Daklozenzorg",
    en: "Homeless service",
  },
  "kind.housing_operator": {
    fr: "Opérateur de logement",
    nl: "Huisvestingsoperator",
    en: "Housing operator",
  },
  "kind.home_guidance": {
    fr: "Accompagnement à domicile",
    nl: "Woonbegeleiding",
    en: "Home guidance",
  },
  "siteStatus.running": {
    fr: "en cours",
    nl: "lopend",
    en: "running",
  },
  "siteStatus.closed": {
    fr: "clôturé",
    nl: "afgesloten",
    en: "closed",
  },
  "unitStatus.draft": {
    fr: "brouillon",
    nl: "ontwerp",
    en: "draft",
  },
  "unitStatus.published": {
    fr: "publié",
    nl: "gepubliceerd",
    en: "published",
  },
  "unitStatus.reserved": {
    fr: "réservé",
    nl: "gereserveerd",
    en: "reserved",
  },
  "unitStatus.occupied": {
    fr: "occupé",
    nl: "bewoond",
    en: "occupied",
  },
  "unitStatus.withdrawn": {
    fr: "retiré",
    nl: "ingetrokken",
    en: "withdrawn",
  },
  "unitStatus.closed": {
    fr: "fermé",
    nl: "gesloten",
    en: "closed",
  },
  "unitType.room": {
    fr: "chambre",
    nl: "kamer",
    en: "room",
  },
  "unitType.studio": {
    fr: "studio",
    nl: "studio",
    en: "studio",
  },
  "unitType.apartment": {
    fr: "appartement",
    nl: "appartement",
    en: "apartment",
  },
  "unitType.house": {
    fr: "maison",
    nl: "huis",
    en: "house",
  },
  "unitType.shared_house_room": {
    fr: "chambre en habitat partagé",
    nl: "kamer in gedeelde woning",
    en: "room in a shared house",
  },
  "terms.precarious_occupation": {
    fr: "occupation précaire",
    nl: "precaire bezetting",
    en: "precarious occupation",
  },
  "terms.transit": {
    fr: "transit",
    nl: "transit",
    en: "transit",
  },
  "terms.lease": {
    fr: "bail",
    nl: "huurcontract",
    en: "lease",
  },
  "accessibility.none": {
    fr: "aucune",
    nl: "geen",
    en: "none",
  },
  "accessibility.ground_floor": {
    fr: "rez-de-chaussée",
    nl: "gelijkvloers",
    en: "ground floor",
  },
  "accessibility.lift": {
    fr: "ascenseur",
    nl: "lift",
    en: "lift",
  },
  "accessibility.wheelchair": {
    fr: "fauteuil roulant",
    nl: "rolstoel",
    en: "wheelchair",
  },
  "proposalStatus.open": {
    fr: "à décider",
    nl: "te beslissen",
    en: "to decide",
  },
  "proposalStatus.accepted": {
    fr: "acceptée",
    nl: "aanvaard",
    en: "accepted",
  },
  "proposalStatus.declined": {
    fr: "refusée",
    nl: "geweigerd",
    en: "declined",
  },
  "reason.household_does_not_fit": {
    fr: "le ménage ne correspond pas",
    nl: "het gezin past niet",
    en: "household does not fit",
  },
  "reason.needs_not_met": {
    fr: "besoins non rencontrés",
    nl: "noden niet ingevuld",
    en: "needs not met",
  },
  "reason.person_unreachable": {
    fr: "personne injoignable",
    nl: "persoon onbereikbaar",
    en: "person unreachable",
  },
  "reason.unit_unavailable": {
    fr: "logement indisponible",
    nl: "woning niet beschikbaar",
    en: "unit unavailable",
  },
  "reason.unit_taken": {
    fr: "logement attribué à une autre personne",
    nl: "woning aan iemand anders toegewezen",
    en: "unit taken by another person",
  },
  "reason.person_placed": {
    fr: "personne déjà logée",
    nl: "persoon al gehuisvest",
    en: "person already placed",
  },
  "reason.consent_withdrawn": {
    fr: "consentement retiré",
    nl: "toestemming ingetrokken",
    en: "consent withdrawn",
  },
  "reason.other": {
    fr: "autre",
    nl: "andere",
    en: "other",
  },
  "category.identity": {
    fr: "identité",
    nl: "identiteit",
    en: "identity",
  },
  "category.contact": {
    fr: "contact",
    nl: "contact",
    en: "contact",
  },
  "category.housing_situation": {
    fr: "situation de logement",
    nl: "woonsituatie",
    en: "housing situation",
  },
  "category.income": {
    fr: "revenus",
    nl: "inkomen",
    en: "income",
  },
  "category.family": {
    fr: "famille",
    nl: "gezin",
    en: "family",
  },
  "category.justice": {
    fr: "justice",
    nl: "justitie",
    en: "justice",
  },
  "category.health": {
    fr: "santé",
    nl: "gezondheid",
    en: "health",
  },
  "category.follow_up": {
    fr: "suivi",
    nl: "opvolging",
    en: "follow-up",
  },
  "convention.precarious_occupation": {
    fr: "convention d'occupation précaire",
    nl: "overeenkomst van precaire bezetting",
    en: "precarious-occupation convention",
  },
  "convention.transit_convention": {
    fr: "convention de transit",
    nl: "transitovereenkomst",
    en: "transit convention",
  },
  "convention.lease": {
    fr: "bail",
    nl: "huurcontract",
    en: "lease",
  },
  "convention.community_house_convention": {
    fr: "convention de maison communautaire",
    nl: "overeenkomst gemeenschapshuis",
    en: "community-house convention",
  },
  "orgStatus.active": {
    fr: "active",
    nl: "actief",
    en: "active",
  },
  "orgStatus.suspended": {
    fr: "suspendue",
    nl: "geschorst",
    en: "suspended",
  },
  "certStatus.active": {
    fr: "actif",
    nl: "actief",
    en: "active",
  },
  "certStatus.pending": {
    fr: "en attente",
    nl: "in afwachting",
    en: "pending",
  },
  "certStatus.revoked": {
    fr: "révoqué",
    nl: "ingetrokken",
    en: "revoked",
  },
  "userStatus.invited": {
    fr: "invité",
    nl: "uitgenodigd",
    en: "invited",
  },
  "userStatus.active": {
    fr: "actif",
    nl: "actief",
    en: "active",
  },
  "userStatus.disabled": {
    fr: "désactivé",
    nl: "uitgeschakeld",
    en: "disabled",
  },
  "housing.site.partnership": {
    fr: "Prêté au partenariat",
    nl: "Uitgeleend aan het partnerschap",
    en: "Lent to the partnership",
  },
  "housing.site.noPartnership": {
    fr: "Aucun",
    nl: "Geen",
    en: "None",
  },
  "housing.units.shown": {
    fr: "Logements affichés",
    nl: "Getoonde woningen",
    en: "Units shown",
  },
};
