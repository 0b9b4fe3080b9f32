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
  // The person's journal (journal.html, journal.js).
  "journal.pageTitle": {
    fr: "refgw — mon journal",
    nl: "refgw — mijn logboek",
    en: "refgw — my journal",
  },
  "journal.tagline": {
    fr: "Qui a consulté ou reçu mes données",
    nl: "Wie mijn gegevens heeft ingekeken of ontvangen",
    en: "Who read or received my data",
  },
  "journal.title": {
    fr: "Mon journal",
    nl: "Mijn logboek",
    en: "My journal",
  },
  "journal.intro": {
    fr: "Tapez le code de votre récépissé de consentement. Vous verrez quelles organisations ont consulté ou reçu vos données, quand et pourquoi. Vos données elles-mêmes ne sont pas montrées.",
    nl: "Typ de code van uw ontvangstbewijs van toestemming. U ziet welke organisaties uw gegevens hebben ingekeken of ontvangen, wanneer en waarom. Uw gegevens zelf worden niet getoond.",
    en: "Type the code of your consent slip. You will see which organisations read or received your data, when and why. Your data itself is not shown.",
  },
  "journal.code": {
    fr: "Code du récépissé",
    nl: "Code van het ontvangstbewijs",
    en: "Receipt code",
  },
  "journal.codeHint": {
    fr: "26 caractères, par exemple K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ (tirets et majuscules facultatifs).",
    nl: "26 tekens, bijvoorbeeld K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ (streepjes en hoofdletters niet verplicht).",
    en: "26 characters, for example K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ (hyphens and capitals optional).",
  },
  "journal.codeMissing": {
    fr: "Tapez le code de votre récépissé.",
    nl: "Typ de code van uw ontvangstbewijs.",
    en: "Type the code of your slip.",
  },
  "journal.submit": { fr: "Voir mon journal", nl: "Mijn logboek bekijken", en: "Show my journal" },
  "journal.resultTitle": {
    fr: "Qui a consulté ou reçu vos données",
    nl: "Wie uw gegevens heeft ingekeken of ontvangen",
    en: "Who read or received your data",
  },
  "journal.caption": {
    fr: "Du plus récent au plus ancien",
    nl: "Van nieuw naar oud",
    en: "Newest first",
  },
  "journal.when": { fr: "Quand", nl: "Wanneer", en: "When" },
  "journal.organisation": { fr: "Organisation", nl: "Organisatie", en: "Organisation" },
  "journal.what": { fr: "Quoi", nl: "Wat", en: "What" },
  "journal.purpose": { fr: "Pour", nl: "Waarvoor", en: "For" },
  "journal.noPurpose": { fr: "—", nl: "—", en: "—" },
  "journal.empty": {
    fr: "Aucune organisation n’a encore consulté ni reçu vos données.",
    nl: "Nog geen enkele organisatie heeft uw gegevens ingekeken of ontvangen.",
    en: "No organisation has read or received your data yet.",
  },
  "journal.truncated": {
    fr: "Seules les 500 lignes les plus récentes sont montrées.",
    nl: "Alleen de 500 recentste regels worden getoond.",
    en: "Only the 500 most recent lines are shown.",
  },
  "journal.shown": {
    fr: "Votre journal est affiché. Lignes : {count}.",
    nl: "Uw logboek wordt getoond. Regels: {count}.",
    en: "Your journal is shown. Lines: {count}.",
  },
  "journal.privacy": {
    fr: "Ce journal ne montre ni les noms des travailleurs ni vos données. L’organisation qui vous a remis le récépissé peut remplacer ou révoquer ce code.",
    nl: "Dit logboek toont geen namen van medewerkers en geen gegevens van u. De organisatie die u het ontvangstbewijs gaf, kan deze code vervangen of intrekken.",
    en: "This journal shows no worker's name and none of your data. The organisation that gave you the slip can replace or revoke this code.",
  },
  "journal.kind.recorded": { fr: "a enregistré votre dossier", nl: "heeft uw dossier geregistreerd", en: "recorded your file" },
  "journal.kind.consent_recorded": {
    fr: "a enregistré votre consentement",
    nl: "heeft uw toestemming geregistreerd",
    en: "recorded your consent",
  },
  "journal.kind.consent_withdrawn": {
    fr: "a enregistré le retrait de votre consentement",
    nl: "heeft de intrekking van uw toestemming geregistreerd",
    en: "recorded the withdrawal of your consent",
  },
  "journal.kind.received": { fr: "a reçu vos données", nl: "heeft uw gegevens ontvangen", en: "received your data" },
  "journal.kind.read": { fr: "a consulté vos données", nl: "heeft uw gegevens ingekeken", en: "read your data" },
  "journal.kind.exported": {
    fr: "a exporté vos données, à votre demande",
    nl: "heeft uw gegevens geëxporteerd, op uw verzoek",
    en: "exported your data, at your request",
  },
  "journal.purposeOf.housing_referral": {
    fr: "une orientation vers un logement",
    nl: "een doorverwijzing naar huisvesting",
    en: "a housing referral",
  },
  "journal.purposeOf.social_aid": { fr: "l’aide sociale", nl: "maatschappelijke hulp", en: "social aid" },
  "journal.purposeOf.rights_opening": {
    fr: "l’ouverture de vos droits",
    nl: "het openen van uw rechten",
    en: "opening your rights",
  },
  "journal.purposeOf.housing_support": {
    fr: "l’accompagnement dans le logement",
    nl: "begeleiding bij het wonen",
    en: "support in housing",
  },
  "journal.purposeOf.health_care": { fr: "les soins de santé", nl: "gezondheidszorg", en: "health care" },
  // The consent slip's receipt code (index.html, page "receipt").
  "me.tasks": { fr: "Tâches", nl: "Taken", en: "Tasks" },
  "me.receiptLink": {
    fr: "Donner un code de récépissé à un consentement",
    nl: "Een ontvangstcode aan een toestemming geven",
    en: "Give a consent its receipt code",
  },
  "receipt.title": { fr: "Code de récépissé", nl: "Ontvangstcode", en: "Receipt code" },
  "receipt.intro": {
    fr: "Le code permet à la personne de voir, sans eID, quelles organisations ont consulté ou reçu ses données. Il n’est montré qu’une fois : imprimez le récépissé et remettez-le à la personne. Un nouveau code remplace l’ancien.",
    nl: "Met de code ziet de persoon, zonder eID, welke organisaties zijn of haar gegevens hebben ingekeken of ontvangen. Hij wordt maar één keer getoond: druk het ontvangstbewijs af en geef het aan de persoon. Een nieuwe code vervangt de oude.",
    en: "The code lets the person see, without eID, which organisations read or received their data. It is shown once: print the slip and hand it to the person. A new code replaces the old one.",
  },
  "receipt.consent": { fr: "Identifiant du consentement", nl: "Id van de toestemming", en: "Consent id" },
  "receipt.consentHint": {
    fr: "Un consentement que votre organisation a enregistré (un UUID).",
    nl: "Een toestemming die uw organisatie heeft geregistreerd (een UUID).",
    en: "A consent your organisation recorded (a UUID).",
  },
  "receipt.invalidConsent": {
    fr: "L’identifiant du consentement doit être un UUID.",
    nl: "De id van de toestemming moet een UUID zijn.",
    en: "The consent id must be a UUID.",
  },
  "receipt.issue": { fr: "Créer un nouveau code", nl: "Een nieuwe code maken", en: "Make a new code" },
  "receipt.revoke": { fr: "Révoquer le code", nl: "De code intrekken", en: "Revoke the code" },
  "receipt.issued": {
    fr: "Nouveau code créé : l’ancien ne fonctionne plus.",
    nl: "Nieuwe code gemaakt: de oude werkt niet meer.",
    en: "New code made: the old one no longer works.",
  },
  "receipt.revoked": {
    fr: "Le code est révoqué : il ne fonctionne plus.",
    nl: "De code is ingetrokken: hij werkt niet meer.",
    en: "The code is revoked: it no longer works.",
  },
  "receipt.print": { fr: "Imprimer le récépissé", nl: "Het ontvangstbewijs afdrukken", en: "Print the slip" },
  "receipt.back": { fr: "Retour", nl: "Terug", en: "Back" },
  "slip.title": {
    fr: "Votre journal : qui a vu vos données",
    nl: "Uw logboek: wie uw gegevens zag",
    en: "Your journal: who saw your data",
  },
  "slip.intro": {
    fr: "Avec ce code, vous pouvez voir quelles organisations ont consulté ou reçu vos données, quand et pourquoi. Pas besoin d’eID.",
    nl: "Met deze code ziet u welke organisaties uw gegevens hebben ingekeken of ontvangen, wanneer en waarom. Geen eID nodig.",
    en: "With this code you can see which organisations read or received your data, when and why. No eID needed.",
  },
  "slip.code": { fr: "Votre code", nl: "Uw code", en: "Your code" },
  "slip.qr": {
    fr: "Code QR : ouvre votre journal avec le code",
    nl: "QR-code: opent uw logboek met de code",
    en: "QR code: opens your journal with the code",
  },
  "slip.where": {
    fr: "Scannez le code QR, ou allez à cette adresse et tapez le code :",
    nl: "Scan de QR-code, of ga naar dit adres en typ de code:",
    en: "Scan the QR code, or go to this address and type the code:",
  },
  "slip.keep": {
    fr: "Gardez ce papier pour vous : qui a le code voit le journal. Perdu ? Demandez un nouveau code à l’organisation qui vous l’a donné.",
    nl: "Houd dit papier voor uzelf: wie de code heeft, ziet het logboek. Kwijt? Vraag een nieuwe code aan de organisatie die hem u gaf.",
    en: "Keep this paper to yourself: whoever has the code sees the journal. Lost it? Ask the organisation that gave it to you for a new code.",
  },
  "slip.issued": { fr: "Émis le", nl: "Uitgegeven op", en: "Issued" },
};


