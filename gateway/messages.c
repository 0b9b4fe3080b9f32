/* messages: the catalogue of every message a client reads (problem titles,
 * detail formats, field messages) in English, French and Dutch, and the
 * negotiation of the language (Accept-Language, RFC 9110).
 *
 * The code writes English; English is the key.  Adding a message is one
 * entry here: MSG(english, french, dutch), anywhere in the table (it is
 * sorted once, at the first lookup, for bsearch).  A translation keeps the
 * English format's conversions in the same order, and field names, codes,
 * ids and slugs as they are: they are the API.  scripts/messages.py (make
 * lint) fails when a message of gateway/ (any .c) is missing here, lacks a
 * language, or its conversions differ; a message missing at run time is
 * answered in English and counted (refgw_message_misses_total).
 *
 * Words: referral orientation / doorverwijzing, consent consentement /
 * toestemming, unit logement / woning, occupancy occupation / bewoning,
 * placement mise en logement / huisvesting, follow-up accompagnement /
 * begeleiding, intake accueil / opname, organisation organisation /
 * organisatie, request body corps de la requête / body van het verzoek. */
#include "messages.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "util.h"

struct message {
	const char *text[LANG_COUNT]; /* by enum lang: en, fr, nl */
};

#define MSG(en, fr, nl)                                                                            \
	{                                                                                          \
		{                                                                                  \
			en, fr, nl                                                                 \
		}                                                                                  \
	}

/* clang-format off */
static const struct message catalogue[] = {
	MSG("a password of 12 to 128 characters",
	    "un mot de passe de 12 à 128 caractères",
	    "een wachtwoord van 12 tot 128 tekens"),
	MSG("enrol first (POST /v1/account/enrol): choose a password and receive the second factor's secret",
	    "inscrivez-vous d'abord (POST /v1/account/enrol) : choisissez un mot de passe et recevez le secret du second facteur",
	    "schrijf u eerst in (POST /v1/account/enrol): kies een wachtwoord en ontvang het geheim van de tweede factor"),
	MSG("the code does not match: type the 6 digits your authenticator shows now (is its clock right?)",
	    "le code ne correspond pas : tapez les 6 chiffres que votre application d'authentification affiche maintenant (son horloge est-elle juste ?)",
	    "de code klopt niet: typ de 6 cijfers die uw authenticator-app nu toont (staat haar klok juist?)"),
	MSG("unknown, used or expired invitation: ask your administrator for a new one",
	    "invitation inconnue, déjà utilisée ou expirée : demandez-en une nouvelle à votre administrateur",
	    "onbekende, gebruikte of verlopen uitnodiging: vraag uw beheerder om een nieuwe"),
	MSG("1 to 200 characters",
	    "1 à 200 caractères",
	    "1 tot 200 tekens"),
	MSG("CSRF token missing or wrong",
	    "Jeton CSRF absent ou erroné",
	    "CSRF-token ontbreekt of is onjuist"),
	MSG("Cross-site request refused",
	    "Requête d'un autre site refusée",
	    "Verzoek van een andere site geweigerd"),
	MSG("Invalid display name",
	    "Nom affiché non valide",
	    "Ongeldige weergavenaam"),
	MSG("Invalid email",
	    "Adresse e-mail non valide",
	    "Ongeldig e-mailadres"),
	MSG("Invalid request",
	    "Requête non valide",
	    "Ongeldig verzoek"),
	MSG("Not signed in",
	    "Non connecté",
	    "Niet aangemeld"),
	MSG("Role not allowed here",
	    "Rôle non permis ici",
	    "Rol hier niet toegestaan"),
	MSG("Sign-in failed",
	    "Échec de la connexion",
	    "Aanmelden mislukt"),
	MSG("Too many attempts",
	    "Trop de tentatives",
	    "Te veel pogingen"),
	MSG("User exists",
	    "L'utilisateur existe déjà",
	    "Gebruiker bestaat al"),
	MSG("User not enrolled",
	    "Utilisateur pas encore inscrit",
	    "Gebruiker nog niet ingeschreven"),
	MSG("a change must come from %s (the Origin header): this request came from another origin",
	    "une modification doit venir de %s (l'en-tête Origin) : cette requête venait d'une autre origine",
	    "een wijziging moet van %s komen (de header Origin): dit verzoek kwam van een andere oorsprong"),
	MSG("a change must come from %s (the Origin header): this request named no origin",
	    "une modification doit venir de %s (l'en-tête Origin) : cette requête ne nommait aucune origine",
	    "een wijziging moet van %s komen (de header Origin): dit verzoek noemde geen oorsprong"),
	MSG("a user with this email already exists",
	    "un utilisateur avec cette adresse e-mail existe déjà",
	    "er bestaat al een gebruiker met dit e-mailadres"),
	MSG("an email address: one @, no blanks",
	    "une adresse e-mail : un seul @, pas d'espace",
	    "een e-mailadres: één @, geen spaties"),
	MSG("an invited user becomes active by enrolling (password and second factor), not by a change of status",
	    "un utilisateur invité devient actif en s'inscrivant (mot de passe et second facteur), pas par un changement de status",
	    "een uitgenodigde gebruiker wordt actief door zich in te schrijven (wachtwoord en tweede factor), niet door een wijziging van status"),
	MSG("coordinator_admin exists only in a coordinator organisation",
	    "coordinator_admin n'existe que dans une organisation coordinatrice",
	    "coordinator_admin bestaat alleen in een coördinerende organisatie"),
	MSG("no organisation %s whose users you manage",
	    "aucune organisation %s dont vous gérez les utilisateurs",
	    "geen organisatie %s waarvan u de gebruikers beheert"),
	MSG("no sign-in in progress, or it took longer than 5 minutes: sign in again",
	    "aucune connexion en cours, ou elle a pris plus de 5 minutes : connectez-vous à nouveau",
	    "geen aanmelding bezig, of ze duurde langer dan 5 minuten: meld u opnieuw aan"),
	MSG("no sign-in in progress: send your email and password to POST /v1/session first",
	    "aucune connexion en cours : envoyez d'abord votre adresse e-mail et votre mot de passe à POST /v1/session",
	    "geen aanmelding bezig: stuur eerst uw e-mailadres en wachtwoord naar POST /v1/session"),
	MSG("no user %s",
	    "aucun utilisateur %s",
	    "geen gebruiker %s"),
	MSG("no valid session: it ended, timed out, or its user or organisation was disabled; sign in again",
	    "aucune session valide : elle a pris fin, a expiré, ou son utilisateur ou son organisation a été désactivé ; connectez-vous à nouveau",
	    "geen geldige sessie: ze is beëindigd of verlopen, of haar gebruiker of organisatie werd uitgeschakeld; meld u opnieuw aan"),
	MSG("send at least one of display_name, role, language, status",
	    "envoyez au moins un de display_name, role, language, status",
	    "stuur minstens één van display_name, role, language, status"),
	MSG("send the session's csrf_token (GET /v1/session) in the X-CSRF-Token header with every change",
	    "envoyez le csrf_token de la session (GET /v1/session) dans l'en-tête X-CSRF-Token à chaque modification",
	    "stuur de csrf_token van de sessie (GET /v1/session) in de header X-CSRF-Token bij elke wijziging"),
	MSG("sign in first (POST /v1/session): no session cookie",
	    "connectez-vous d'abord (POST /v1/session) : pas de cookie de session",
	    "meld u eerst aan (POST /v1/session): geen sessiecookie"),
	MSG("the access rules do not allow %s to a %s of this organisation",
	    "les règles d'accès ne permettent pas %s à un %s de cette organisation",
	    "de toegangsregels staan %s niet toe aan een %s van deze organisatie"),
	MSG("the console has no file of that name",
	    "la console n'a pas de fichier de ce nom",
	    "de console heeft geen bestand met die naam"),
	MSG("the console's files are read with GET or HEAD",
	    "les fichiers de la console se lisent avec GET ou HEAD",
	    "de bestanden van de console worden gelezen met GET of HEAD"),
	MSG("the email, the password or the code is not right, or the account cannot sign in now; try again in a minute",
	    "l'adresse e-mail, le mot de passe ou le code n'est pas correct, ou le compte ne peut pas se connecter maintenant ; réessayez dans une minute",
	    "het e-mailadres, het wachtwoord of de code is niet juist, of de account kan nu niet aanmelden; probeer het over een minuut opnieuw"),
	MSG("the user is at version %s, not %ld; read it again",
	    "l'utilisateur est à la version %s, pas %ld ; relisez-le",
	    "de gebruiker is op versie %s, niet %ld; lees hem opnieuw"),
	MSG("too many failed sign-ins from this address; retry after %ld seconds",
	    "trop de connexions échouées depuis cette adresse ; réessayez après %ld secondes",
	    "te veel mislukte aanmeldingen vanaf dit adres; probeer opnieuw na %ld seconden"),
	MSG("\"%s\" is listed twice",
	    "« %s » figure deux fois",
	    "\"%s\" staat er twee keer in"),
	MSG("%s at line %d, column %d (byte %d)",
	    "%s à la ligne %d, colonne %d (octet %d)",
	    "%s op regel %d, kolom %d (byte %d)"),
	MSG("%s is not allowed on %s; allowed: %s",
	    "la méthode %s n'est pas permise sur %s ; permises : %s",
	    "methode %s is niet toegestaan op %s; toegestaan: %s"),
	MSG("%zu fields of the request body are not valid; see errors",
	    "%zu champs du corps de la requête ne sont pas valides ; voir errors",
	    "%zu velden van de body van het verzoek zijn niet geldig; zie errors"),
	MSG("%zu query parameters are not valid; see errors",
	    "%zu paramètres de requête ne sont pas valides ; voir errors",
	    "%zu queryparameters zijn niet geldig; zie errors"),
	MSG("1 field of the request body is not valid; see errors",
	    "1 champ du corps de la requête n'est pas valide ; voir errors",
	    "1 veld van de body van het verzoek is niet geldig; zie errors"),
	MSG("1 query parameter is not valid; see errors",
	    "1 paramètre de requête n'est pas valide ; voir errors",
	    "1 queryparameter is niet geldig; zie errors"),
	MSG("A second coordinator certificate must confirm",
	    "Un second certificat de coordinateur doit confirmer",
	    "Een tweede coördinatorcertificaat moet bevestigen"),
	MSG("Already proposed",
	    "Déjà proposé",
	    "Al voorgesteld"),
	MSG("Ambiguous request framing",
	    "Délimitation de la requête ambiguë",
	    "Dubbelzinnige afbakening van het verzoek"),
	MSG("CA certificate refused",
	    "Certificat d'AC refusé",
	    "CA-certificaat geweigerd"),
	MSG("Certificate already registered",
	    "Certificat déjà enregistré",
	    "Certificaat al geregistreerd"),
	MSG("Certificate not confirmed",
	    "Certificat non confirmé",
	    "Certificaat niet bevestigd"),
	MSG("Certificate not for client authentication",
	    "Certificat non prévu pour l'authentification client",
	    "Certificaat niet bedoeld voor clientauthenticatie"),
	MSG("Certificate not registered",
	    "Certificat non enregistré",
	    "Certificaat niet geregistreerd"),
	MSG("Certificate refused",
	    "Certificat refusé",
	    "Certificaat geweigerd"),
	MSG("Certificate revoked",
	    "Certificat révoqué",
	    "Certificaat ingetrokken"),
	MSG("Client certificate expired",
	    "Certificat client expiré",
	    "Clientcertificaat verlopen"),
	MSG("Client certificate not trusted",
	    "Certificat client non reconnu",
	    "Clientcertificaat niet vertrouwd"),
	MSG("Client certificate not yet valid",
	    "Certificat client pas encore valide",
	    "Clientcertificaat nog niet geldig"),
	MSG("Client certificate required",
	    "Certificat client requis",
	    "Clientcertificaat vereist"),
	MSG("Client certificate unreadable",
	    "Certificat client illisible",
	    "Clientcertificaat onleesbaar"),
	MSG("Concurrent change",
	    "Modification concurrente",
	    "Gelijktijdige wijziging"),
	MSG("Conflict",
	    "Conflit",
	    "Conflict"),
	MSG("Consent does not cover this",
	    "Le consentement ne couvre pas ceci",
	    "De toestemming dekt dit niet"),
	MSG("Consent no longer holds",
	    "Le consentement n'est plus valable",
	    "De toestemming geldt niet meer"),
	MSG("Database unavailable",
	    "Base de données indisponible",
	    "Databank niet beschikbaar"),
	MSG("Export too large",
	    "Export trop volumineux",
	    "Export te groot"),
	MSG("Follow-up closed",
	    "Accompagnement clôturé",
	    "Begeleiding afgesloten"),
	MSG("Forbidden",
	    "Interdit",
	    "Verboden"),
	MSG("Gateway busy",
	    "Passerelle occupée",
	    "Gateway bezet"),
	MSG("Idempotency-Key must be 1 to 255 printable ASCII characters",
	    "Idempotency-Key doit compter de 1 à 255 caractères ASCII imprimables",
	    "Idempotency-Key moet 1 tot 255 afdrukbare ASCII-tekens bevatten"),
	MSG("Idempotency-Key reused",
	    "Idempotency-Key réutilisée",
	    "Idempotency-Key hergebruikt"),
	MSG("If-Match must be a quoted version number, e.g. \"3\"",
	    "If-Match doit être un numéro de version entre guillemets, p. ex. \"3\"",
	    "If-Match moet een versienummer tussen aanhalingstekens zijn, bv. \"3\""),
	MSG("If-Match required",
	    "If-Match requis",
	    "If-Match vereist"),
	MSG("Internal error",
	    "Erreur interne",
	    "Interne fout"),
	MSG("Invalid Idempotency-Key",
	    "Idempotency-Key non valide",
	    "Ongeldige Idempotency-Key"),
	MSG("Invalid If-Match",
	    "If-Match non valide",
	    "Ongeldige If-Match"),
	MSG("Invalid cursor",
	    "Curseur non valide",
	    "Ongeldige cursor"),
	MSG("Invalid query parameter",
	    "Paramètre de requête non valide",
	    "Ongeldige queryparameter"),
	MSG("Invalid request body",
	    "Corps de la requête non valide",
	    "Ongeldige body van het verzoek"),
	MSG("Key store unavailable",
	    "Magasin de clés indisponible",
	    "Sleutelopslag niet beschikbaar"),
	MSG("Last active coordinator",
	    "Dernier coordinateur actif",
	    "Laatste actieve coördinator"),
	MSG("Malformed JSON",
	    "JSON mal formé",
	    "Misvormde JSON"),
	MSG("Method not allowed",
	    "Méthode non permise",
	    "Methode niet toegestaan"),
	MSG("National register number not accepted",
	    "Numéro de registre national non accepté",
	    "Rijksregisternummer niet aanvaard"),
	MSG("Not found",
	    "Introuvable",
	    "Niet gevonden"),
	MSG("Nothing to change",
	    "Rien à modifier",
	    "Niets te wijzigen"),
	MSG("Occupancy already ended",
	    "Occupation déjà terminée",
	    "Bewoning al beëindigd"),
	MSG("Occupancy cannot start",
	    "L'occupation ne peut pas commencer",
	    "De bewoning kan niet beginnen"),
	MSG("Occupancy outside the unit's terms",
	    "Occupation hors des conditions du logement",
	    "Bewoning buiten de voorwaarden van de woning"),
	MSG("Occupancy terms refused",
	    "Conditions d'occupation refusées",
	    "Bewoningsvoorwaarden geweigerd"),
	MSG("Organisation exists",
	    "L'organisation existe",
	    "De organisatie bestaat al"),
	MSG("Organisation suspended",
	    "Organisation suspendue",
	    "Organisatie geschorst"),
	MSG("Partnership change refused",
	    "Modification du partenariat refusée",
	    "Wijziging van het partnerschap geweigerd"),
	MSG("Partnership refused",
	    "Partenariat refusé",
	    "Partnerschap geweigerd"),
	MSG("Person already placed",
	    "Personne déjà logée",
	    "Persoon al gehuisvest"),
	MSG("Person erased",
	    "Personne effacée",
	    "Persoon gewist"),
	MSG("Person not followed",
	    "Personne non accompagnée",
	    "Persoon niet begeleid"),
	MSG("Placement before release",
	    "Mise en logement avant la libération",
	    "Huisvesting vóór de vrijlating"),
	MSG("Program closed",
	    "Programme fermé",
	    "Programma gesloten"),
	MSG("Program not offered",
	    "Programme non proposé",
	    "Programma niet aangeboden"),
	MSG("Proposal not open",
	    "Proposition non ouverte",
	    "Voorstel niet open"),
	MSG("Recipient unavailable",
	    "Destinataire indisponible",
	    "Ontvanger niet beschikbaar"),
	MSG("Referral cannot be proposed",
	    "L'orientation ne peut pas être proposée",
	    "De doorverwijzing kan niet worden voorgesteld"),
	MSG("Referral cannot be relayed",
	    "L'orientation ne peut pas être relayée",
	    "De doorverwijzing kan niet worden doorgegeven"),
	MSG("Request body too large",
	    "Corps de la requête trop volumineux",
	    "Body van het verzoek te groot"),
	MSG("Rule refused",
	    "Règle refusée",
	    "Regel geweigerd"),
	MSG("Rules refused",
	    "Règles refusées",
	    "Regels geweigerd"),
	MSG("Site change refused",
	    "Modification du site refusée",
	    "Wijziging van de site geweigerd"),
	MSG("Site refused",
	    "Site refusé",
	    "Site geweigerd"),
	MSG("Site still occupied",
	    "Site encore occupé",
	    "Site nog bewoond"),
	MSG("Stale version",
	    "Version périmée",
	    "Verouderde versie"),
	MSG("The organisation confirms its certificates",
	    "L'organisation confirme ses certificats",
	    "De organisatie bevestigt haar certificaten"),
	MSG("Transition not allowed",
	    "Transition non permise",
	    "Overgang niet toegestaan"),
	MSG("Unit already taken",
	    "Logement déjà attribué",
	    "Woning al toegewezen"),
	MSG("Unit change refused",
	    "Modification du logement refusée",
	    "Wijziging van de woning geweigerd"),
	MSG("Unit not available",
	    "Logement non disponible",
	    "Woning niet beschikbaar"),
	MSG("Unit refused",
	    "Logement refusé",
	    "Woning geweigerd"),
	MSG("Unknown action",
	    "Action inconnue",
	    "Onbekende actie"),
	MSG("Unprocessable consent",
	    "Consentement impossible à traiter",
	    "Toestemming niet verwerkbaar"),
	MSG("Unprocessable follow-up",
	    "Accompagnement impossible à traiter",
	    "Begeleiding niet verwerkbaar"),
	MSG("Unprocessable placement",
	    "Mise en logement impossible à traiter",
	    "Huisvesting niet verwerkbaar"),
	MSG("Unprocessable request",
	    "Requête impossible à traiter",
	    "Verzoek niet verwerkbaar"),
	MSG("Unsupported media type",
	    "Type de média non pris en charge",
	    "Mediatype niet ondersteund"),
	MSG("a %s unit cannot become %s; allowed: %s",
	    "un logement %s ne peut pas devenir %s ; permis : %s",
	    "een woning met status %s kan niet %s worden; toegestaan: %s"),
	MSG("a concurrent change conflicted with this one; retry",
	    "une modification concurrente est entrée en conflit avec celle-ci ; réessayez",
	    "een gelijktijdige wijziging botste met deze; probeer opnieuw"),
	MSG("a coordinator does not host sites",
	    "un coordinateur n'héberge pas de sites",
	    "een coördinator beheert geen sites"),
	MSG("a decline needs one of household_does_not_fit, needs_not_met, person_unreachable, unit_unavailable, other (with a note)",
	    "un refus demande l'un de household_does_not_fit, needs_not_met, person_unreachable, unit_unavailable, other (avec une note)",
	    "een weigering vraagt een van household_does_not_fit, needs_not_met, person_unreachable, unit_unavailable, other (met een note)"),
	MSG("a follow-up %s cannot move to %s",
	    "un accompagnement %s ne peut pas passer à %s",
	    "een begeleiding met status %s kan niet naar %s gaan"),
	MSG("a follow-up closed cannot change (closed is final)",
	    "un accompagnement closed ne peut plus changer (closed est définitif)",
	    "een begeleiding met status closed kan niet meer wijzigen (closed is definitief)"),
	MSG("a follow-up closed cannot move to %s (closed is final)",
	    "un accompagnement closed ne peut pas passer à %s (closed est définitif)",
	    "een begeleiding met status closed kan niet naar %s gaan (closed is definitief)"),
	MSG("a header name holds whitespace or a character a name may not",
	    "un nom d'en-tête contient une espace ou un caractère interdit dans un nom",
	    "een headernaam bevat witruimte of een teken dat niet in een naam mag"),
	MSG("a header value holds a control character",
	    "une valeur d'en-tête contient un caractère de contrôle",
	    "een headerwaarde bevat een stuurteken"),
	MSG("a partnership is already named \"%s\"",
	    "un partenariat s'appelle déjà « %s »",
	    "een partnerschap heet al \"%s\""),
	MSG("a resource with the same unique value already exists",
	    "une ressource avec la même valeur unique existe déjà",
	    "er bestaat al een resource met dezelfde unieke waarde"),
	MSG("a rule is repeated, or names an organisation that does not exist",
	    "une règle est répétée, ou désigne une organisation qui n'existe pas",
	    "een regel komt twee keer voor, of noemt een organisatie die niet bestaat"),
	MSG("a signed form needs its reference",
	    "un formulaire signé demande sa référence",
	    "een ondertekend formulier vraagt zijn referentie"),
	MSG("an entry is personal data of category follow_up, which the referral's consent does not list",
	    "une note est une donnée personnelle de catégorie follow_up, que le consentement de l'orientation ne reprend pas",
	    "een notitie is een persoonsgegeven van categorie follow_up, die de toestemming van de doorverwijzing niet vermeldt"),
	MSG("an item names no organisation",
	    "un élément ne désigne aucune organisation",
	    "een element noemt geen organisatie"),
	MSG("an oral consent needs a witness",
	    "un consentement oral demande un témoin",
	    "een mondelinge toestemming vraagt een getuige"),
	MSG("an organisation named \"%s\" already exists",
	    "une organisation nommée « %s » existe déjà",
	    "er bestaat al een organisatie met de naam \"%s\""),
	MSG("an organisation_id names no organisation",
	    "un organisation_id ne désigne aucune organisation",
	    "een organisation_id noemt geen organisatie"),
	MSG("another organisation is named \"%s\"",
	    "une autre organisation s'appelle « %s »",
	    "een andere organisatie heet \"%s\""),
	MSG("as the %s you cannot move a referral from %s to %s; allowed: %s",
	    "comme %s, vous ne pouvez pas faire passer une orientation de %s à %s ; permis : %s",
	    "als %s kunt u een doorverwijzing niet van %s naar %s brengen; toegestaan: %s"),
	MSG("available_until would be before available_from",
	    "available_until serait avant available_from",
	    "available_until zou vóór available_from liggen"),
	MSG("both Content-Length and Transfer-Encoding",
	    "à la fois Content-Length et Transfer-Encoding",
	    "zowel Content-Length als Transfer-Encoding"),
	MSG("cancelled takes person_housed_elsewhere, person_declined, person_unreachable, sent_in_error, other or an outcome",
	    "cancelled accepte person_housed_elsewhere, person_declined, person_unreachable, sent_in_error, other ou une issue",
	    "cancelled aanvaardt person_housed_elsewhere, person_declined, person_unreachable, sent_in_error, other of een uitkomst"),
	MSG("completed needs an outcome: durable_housing, transit_housing, returned_to_street, prison, hospital, deceased, lost_contact, other",
	    "completed demande une issue : durable_housing, transit_housing, returned_to_street, prison, hospital, deceased, lost_contact, other",
	    "completed vraagt een uitkomst: durable_housing, transit_housing, returned_to_street, prison, hospital, deceased, lost_contact, other"),
	MSG("connection state missing",
	    "état de la connexion manquant",
	    "verbindingsstatus ontbreekt"),
	MSG("cursor must be a next_cursor value returned by this list",
	    "cursor doit être une valeur next_cursor renvoyée par cette liste",
	    "cursor moet een next_cursor-waarde zijn die deze lijst teruggaf"),
	MSG("declined needs one of no_capacity, criteria_not_met, person_unreachable, person_declined, duplicate, other",
	    "declined demande l'un de no_capacity, criteria_not_met, person_unreachable, person_declined, duplicate, other",
	    "declined vraagt een van no_capacity, criteria_not_met, person_unreachable, person_declined, duplicate, other"),
	MSG("every database connection is in use; retry after a second",
	    "toutes les connexions à la base de données sont occupées ; réessayez dans une seconde",
	    "alle databankverbindingen zijn in gebruik; probeer het na een seconde opnieuw"),
	MSG("idempotency record unreadable (request id %s)",
	    "enregistrement d'idempotence illisible (identifiant de requête %s)",
	    "idempotentierecord onleesbaar (verzoek-id %s)"),
	MSG("intake's organisation",
	    "organisation d'accueil",
	    "opvangorganisatie"),
	MSG("is %s data; the consent does not cover %s",
	    "relève de la catégorie %s ; le consentement ne couvre pas %s",
	    "valt onder de categorie %s; de toestemming dekt %s niet"),
	MSG("is not an action of the access rules (see docs/access-rules.md)",
	    "n'est pas une action des règles d'accès (voir docs/access-rules.md)",
	    "is geen actie van de toegangsregels (zie docs/access-rules.md)"),
	MSG("is not covered by the referral's consent (by organisation or kind), or the consent no longer holds",
	    "n'est pas couvert par le consentement de l'orientation (par organisation ou par type), ou le consentement n'est plus valable",
	    "valt niet onder de toestemming van de doorverwijzing (per organisatie of soort), of de toestemming geldt niet meer"),
	MSG("is required",
	    "est obligatoire",
	    "is verplicht"),
	MSG("is required unless the convention is a lease",
	    "est obligatoire sauf si la convention est un bail (lease)",
	    "is verplicht tenzij de overeenkomst een huurovereenkomst (lease) is"),
	MSG("is required unless the unit is let on lease terms with no maximum stay and no end of availability",
	    "est obligatoire sauf si le logement est loué par bail (lease), sans durée maximale de séjour ni fin de disponibilité",
	    "is verplicht tenzij de woning met een huurovereenkomst (lease) verhuurd wordt, zonder maximale verblijfsduur en zonder einde van beschikbaarheid"),
	MSG("is required with reason_code other",
	    "est obligatoire avec reason_code other",
	    "is verplicht bij reason_code other"),
	MSG("is required: the person whose accesses to list",
	    "est obligatoire : la personne dont il faut lister les accès",
	    "is verplicht: de persoon van wie de toegangen opgelijst worden"),
	MSG("is required: the person whose consents to list",
	    "est obligatoire : la personne dont il faut lister les consentements",
	    "is verplicht: de persoon van wie de toestemmingen opgelijst worden"),
	MSG("item %zu must be 1 to %zu of a-z 0-9 . _ -",
	    "l'élément %zu doit compter de 1 à %zu caractères parmi a-z 0-9 . _ -",
	    "element %zu moet 1 tot %zu tekens uit a-z 0-9 . _ - bevatten"),
	MSG("item %zu must be a commune name (1 to 64 bytes)",
	    "l'élément %zu doit être un nom de commune (1 à 64 octets)",
	    "element %zu moet een gemeentenaam zijn (1 tot 64 bytes)"),
	MSG("item %zu must be a commune name of 1 to 64 bytes",
	    "l'élément %zu doit être un nom de commune de 1 à 64 octets",
	    "element %zu moet een gemeentenaam van 1 tot 64 bytes zijn"),
	MSG("item %zu must be a lower-case UUID",
	    "l'élément %zu doit être un UUID en minuscules",
	    "element %zu moet een UUID in kleine letters zijn"),
	MSG("item %zu repeats \"%s\"",
	    "l'élément %zu répète « %s »",
	    "element %zu herhaalt \"%s\""),
	MSG("item %zu repeats %s",
	    "l'élément %zu répète %s",
	    "element %zu herhaalt %s"),
	MSG("more than one Content-Length header",
	    "plus d'un en-tête Content-Length",
	    "meer dan één Content-Length-header"),
	MSG("must be 0 to 4",
	    "doit être de 0 à 4",
	    "moet van 0 tot 4 zijn"),
	MSG("must be 1 to %zu of a-z 0-9 . _ -",
	    "doit compter de 1 à %zu caractères parmi a-z 0-9 . _ -",
	    "moet 1 tot %zu tekens uit a-z 0-9 . _ - bevatten"),
	MSG("must be a commune name",
	    "doit être un nom de commune",
	    "moet een gemeentenaam zijn"),
	MSG("must be a date YYYY-MM-DD",
	    "doit être une date au format YYYY-MM-DD",
	    "moet een datum in de vorm YYYY-MM-DD zijn"),
	MSG("must be a lower-case UUID",
	    "doit être un UUID en minuscules",
	    "moet een UUID in kleine letters zijn"),
	MSG("must be a next_cursor value of this feed",
	    "doit être une valeur next_cursor de ce flux",
	    "moet een next_cursor-waarde van deze feed zijn"),
	MSG("must be a referral this organisation sent, received or took in",
	    "doit être une orientation que cette organisation a envoyée, reçue ou accueillie",
	    "moet een doorverwijzing zijn die deze organisatie verstuurde, ontving of opnam"),
	MSG("must be a string",
	    "doit être une chaîne de caractères",
	    "moet een tekenreeks zijn"),
	MSG("must be a valid national register number (11 digits)",
	    "doit être un numéro de registre national valide (11 chiffres)",
	    "moet een geldig rijksregisternummer zijn (11 cijfers)"),
	MSG("must be a whole number",
	    "doit être un nombre entier",
	    "moet een geheel getal zijn"),
	MSG("must be a whole number from 1 to 200",
	    "doit être un nombre entier de 1 à 200",
	    "moet een geheel getal van 1 tot 200 zijn"),
	MSG("must be a whole number of seconds from 0 to 30",
	    "doit être un nombre entier de secondes de 0 à 30",
	    "moet een geheel aantal seconden van 0 tot 30 zijn"),
	MSG("must be after the start date",
	    "doit être après la date de début",
	    "moet na de begindatum liggen"),
	MSG("must be an array of 1 to 100 {organisation_id} or {kind}",
	    "doit être un tableau de 1 à 100 {organisation_id} ou {kind}",
	    "moet een array van 1 tot 100 {organisation_id} of {kind} zijn"),
	MSG("must be an array of 1 to 50 {organisation_id} or {kind}",
	    "doit être un tableau de 1 à 50 {organisation_id} ou {kind}",
	    "moet een array van 1 tot 50 {organisation_id} of {kind} zijn"),
	MSG("must be an array of at most %d commune names ([] : the whole region)",
	    "doit être un tableau d'au plus %d noms de commune ([] : toute la Région)",
	    "moet een array van hoogstens %d gemeentenamen zijn ([] : het hele Gewest)"),
	MSG("must be an array of at most %d organisation ids",
	    "doit être un tableau d'au plus %d identifiants d'organisation",
	    "moet een array van hoogstens %d organisatie-id's zijn"),
	MSG("must be an array of at most 19 commune names",
	    "doit être un tableau d'au plus 19 noms de commune",
	    "moet een array van hoogstens 19 gemeentenamen zijn"),
	MSG("must be an array of at most 2000 rules",
	    "doit être un tableau d'au plus 2000 règles",
	    "moet een array van hoogstens 2000 regels zijn"),
	MSG("must be an array of at most 5 thresholds",
	    "doit être un tableau d'au plus 5 seuils",
	    "moet een array van hoogstens 5 drempels zijn"),
	MSG("must be an array of strings",
	    "doit être un tableau de chaînes de caractères",
	    "moet een array van tekenreeksen zijn"),
	MSG("must be an earlier referral of the same person that you sent, received or took in",
	    "doit être une orientation antérieure de la même personne, que vous avez envoyée, reçue ou accueillie",
	    "moet een eerdere doorverwijzing van dezelfde persoon zijn die u verstuurde, ontving of opnam"),
	MSG("must be an object",
	    "doit être un objet",
	    "moet een object zijn"),
	MSG("must be an object or null",
	    "doit être un objet ou null",
	    "moet een object of null zijn"),
	MSG("must be an object {method, reference, witness, recorded_by}",
	    "doit être un objet {method, reference, witness, recorded_by}",
	    "moet een object {method, reference, witness, recorded_by} zijn"),
	MSG("must be an occupancy of the referral",
	    "doit être une occupation de l'orientation",
	    "moet een bewoning van de doorverwijzing zijn"),
	MSG("must be at most %zu bytes",
	    "doit compter au plus %zu octets",
	    "mag hoogstens %zu bytes bevatten"),
	MSG("must be from %ld to %ld",
	    "doit être de %ld à %ld",
	    "moet van %ld tot %ld zijn"),
	MSG("must be json or html",
	    "doit être json ou html",
	    "moet json of html zijn"),
	MSG("must be lease: the occupancy has no planned end",
	    "doit être lease : l'occupation n'a pas de fin prévue",
	    "moet lease zijn: de bewoning heeft geen gepland einde"),
	MSG("must be none, ground_floor, lift or wheelchair",
	    "doit être none, ground_floor, lift ou wheelchair",
	    "moet none, ground_floor, lift of wheelchair zijn"),
	MSG("must be one of: %s",
	    "doit être l'une des valeurs : %s",
	    "moet een van deze waarden zijn: %s"),
	MSG("must be one of: active, tenancy_at_risk, relayed, closed",
	    "doit être l'une des valeurs : active, tenancy_at_risk, relayed, closed",
	    "moet een van deze waarden zijn: active, tenancy_at_risk, relayed, closed"),
	MSG("must be current or ended",
	    "doit être current ou ended",
	    "moet current of ended zijn"),
	MSG("must be operator or proposer",
	    "doit être operator ou proposer",
	    "moet operator of proposer zijn"),
	MSG("must be precarious_occupation, transit or lease",
	    "doit être precarious_occupation, transit ou lease",
	    "moet precarious_occupation, transit of lease zijn"),
	MSG("must be running or closed",
	    "doit être running ou closed",
	    "moet running of closed zijn"),
	MSG("must be sent or received",
	    "doit être sent ou received",
	    "moet sent of received zijn"),
	MSG("must be true or false",
	    "doit être true ou false",
	    "moet true of false zijn"),
	MSG("must be {\"organisation_id\": ...} or {\"kind\": ...}",
	    "doit être {\"organisation_id\": ...} ou {\"kind\": ...}",
	    "moet {\"organisation_id\": ...} of {\"kind\": ...} zijn"),
	MSG("must have %ld to %ld items",
	    "doit compter de %ld à %ld éléments",
	    "moet %ld tot %ld elementen bevatten"),
	MSG("must not be after today",
	    "ne peut pas être après aujourd'hui",
	    "mag niet na vandaag liggen"),
	MSG("must not be before available_from",
	    "ne peut pas être avant available_from",
	    "mag niet vóór available_from liggen"),
	MSG("must not be before period_from",
	    "ne peut pas être avant period_from",
	    "mag niet vóór period_from liggen"),
	MSG("must not be before signed_on",
	    "ne peut pas être avant signed_on",
	    "mag niet vóór signed_on liggen"),
	MSG("must not be before the occupancy's start date",
	    "ne peut pas être avant la date de début de l'occupation",
	    "mag niet vóór de begindatum van de bewoning liggen"),
	MSG("must not be before the person's release date",
	    "ne peut pas être avant la date de libération de la personne",
	    "mag niet vóór de vrijlatingsdatum van de persoon liggen"),
	MSG("must not be before the person's release date (%s)",
	    "ne peut pas être avant la date de libération de la personne (%s)",
	    "mag niet vóór de vrijlatingsdatum van de persoon liggen (%s)"),
	MSG("must not be before the start date",
	    "ne peut pas être avant la date de début",
	    "mag niet vóór de begindatum liggen"),
	MSG("must not be empty",
	    "ne peut pas être vide",
	    "mag niet leeg zijn"),
	MSG("must not be empty: a partner's name, or null for none",
	    "ne peut pas être vide : le nom d'un partenaire, ou null pour aucun",
	    "mag niet leeg zijn: de naam van een partner, of null voor geen"),
	MSG("must not be empty: leave it out instead",
	    "ne peut pas être vide : omettez-le plutôt",
	    "mag niet leeg zijn: laat het dan weg"),
	MSG("must not be in the future",
	    "ne peut pas être dans le futur",
	    "mag niet in de toekomst liggen"),
	MSG("must not be in the past",
	    "ne peut pas être dans le passé",
	    "mag niet in het verleden liggen"),
	MSG("must not be null",
	    "ne peut pas être null",
	    "mag niet null zijn"),
	MSG("must not be null: a status, or leave it out",
	    "ne peut pas être null : un statut, ou omettez-le",
	    "mag niet null zijn: een status, of laat het weg"),
	MSG("must not contain control characters",
	    "ne peut pas contenir de caractères de contrôle",
	    "mag geen stuurtekens bevatten"),
	MSG("names no active organisation",
	    "ne désigne aucune organisation active",
	    "noemt geen actieve organisatie"),
	MSG("names no partnership",
	    "ne désigne aucun partenariat",
	    "noemt geen partnerschap"),
	MSG("needs exactly one of kind or organisation_id",
	    "demande exactement un de kind ou organisation_id",
	    "vraagt precies een van kind of organisation_id"),
	MSG("no client CA configured",
	    "aucune AC client n'est configurée",
	    "er is geen client-CA ingesteld"),
	MSG("no consent",
	    "aucun consentement",
	    "geen toestemming"),
	MSG("no consent %s you may withdraw",
	    "aucun consentement %s que vous pouvez retirer",
	    "geen toestemming %s die u mag intrekken"),
	MSG("no follow-up %s",
	    "aucun accompagnement %s",
	    "geen begeleiding %s"),
	MSG("no occupancy %s",
	    "aucune occupation %s",
	    "geen bewoning %s"),
	MSG("no occupancy %s of yours",
	    "aucune occupation %s qui vous concerne",
	    "geen bewoning %s van u"),
	MSG("no organisation %s",
	    "aucune organisation %s",
	    "geen organisatie %s"),
	MSG("no partnership %s",
	    "aucun partenariat %s",
	    "geen partnerschap %s"),
	MSG("no partnership %s of which this organisation is a member",
	    "aucun partenariat %s dont cette organisation est membre",
	    "geen partnerschap %s waarvan deze organisatie lid is"),
	MSG("no person %s",
	    "aucune personne %s",
	    "geen persoon %s"),
	MSG("no person %s that you may erase",
	    "aucune personne %s que vous pouvez effacer",
	    "geen persoon %s die u mag wissen"),
	MSG("no person %s that you may export",
	    "aucune personne %s que vous pouvez exporter",
	    "geen persoon %s die u mag exporteren"),
	MSG("no proposal %s for a unit of yours",
	    "aucune proposition %s pour l'un de vos logements",
	    "geen voorstel %s voor een van uw woningen"),
	MSG("no proposal %s of yours or for a unit of yours",
	    "aucune proposition %s de votre part ou pour l'un de vos logements",
	    "geen voorstel %s van u of voor een van uw woningen"),
	MSG("no referral %s",
	    "aucune orientation %s",
	    "geen doorverwijzing %s"),
	MSG("no referral %s of yours",
	    "aucune orientation %s qui vous concerne",
	    "geen doorverwijzing %s van u"),
	MSG("no resource at %s",
	    "aucune ressource à %s",
	    "geen resource op %s"),
	MSG("no response was produced",
	    "aucune réponse n'a été produite",
	    "er werd geen antwoord gemaakt"),
	MSG("no site %s",
	    "aucun site %s",
	    "geen site %s"),
	MSG("no site %s of yours",
	    "aucun site %s qui vous appartient",
	    "geen site %s van u"),
	MSG("no unit %s",
	    "aucun logement %s",
	    "geen woning %s"),
	MSG("no unit %s of yours",
	    "aucun logement %s qui vous appartient",
	    "geen woning %s van u"),
	MSG("none",
	    "aucun",
	    "geen"),
	MSG("not a PEM certificate (expected -----BEGIN CERTIFICATE-----)",
	    "pas un certificat PEM (attendu : -----BEGIN CERTIFICATE-----)",
	    "geen PEM-certificaat (verwacht: -----BEGIN CERTIFICATE-----)"),
	MSG("only organisation %s (or a coordinator) changes its programs",
	    "seule l'organisation %s (ou un coordinateur) modifie ses programmes",
	    "alleen organisatie %s (of een coördinator) wijzigt haar programma's"),
	MSG("only organisation %s, which follows the person, changes this follow-up and writes its entries",
	    "seule l'organisation %s, qui accompagne la personne, modifie cet accompagnement et y écrit des notes",
	    "alleen organisatie %s, die de persoon begeleidt, wijzigt deze begeleiding en schrijft er notities in"),
	MSG("only the organisation itself, or a coordinator when the organisation has no active certificate, confirms a certificate",
	    "seule l'organisation elle-même, ou un coordinateur quand l'organisation n'a pas de certificat actif, confirme un certificat",
	    "alleen de organisatie zelf, of een coördinator als de organisatie geen actief certificaat heeft, bevestigt een certificaat"),
	MSG("only the organisation that created person %s, or a party to an open referral for them, records their consent",
	    "seule l'organisation qui a créé la personne %s, ou une partie à une orientation ouverte pour elle, enregistre son consentement",
	    "alleen de organisatie die persoon %s aanmaakte, of een partij bij een open doorverwijzing voor die persoon, registreert diens toestemming"),
	MSG("only when an occupied unit is taken back (the unit is not occupied)",
	    "uniquement quand un logement occupé est repris (ce logement n'est pas occupé)",
	    "alleen wanneer een bewoonde woning wordt teruggenomen (deze woning is niet bewoond)"),
	MSG("only with status withdrawn or closed, taking an occupied unit back",
	    "uniquement avec le statut withdrawn ou closed, pour reprendre un logement occupé",
	    "alleen met status withdrawn of closed, om een bewoonde woning terug te nemen"),
	MSG("organisation %s does not exist or is suspended",
	    "l'organisation %s n'existe pas ou est suspendue",
	    "organisatie %s bestaat niet of is geschorst"),
	MSG("organisation %s does not offer the program \"%s\" (see GET /v1/organisations)",
	    "l'organisation %s ne propose pas le programme « %s » (voir GET /v1/organisations)",
	    "organisatie %s biedt het programma \"%s\" niet aan (zie GET /v1/organisations)"),
	MSG("organisation %s has an active certificate: it confirms the certificate itself (POST this route with one of its own)",
	    "l'organisation %s a un certificat actif : elle confirme elle-même le certificat (POST sur cette route avec l'un des siens)",
	    "organisatie %s heeft een actief certificaat: zij bevestigt het certificaat zelf (POST op deze route met een van haar eigen certificaten)"),
	MSG("organisation %s has no certificate %s",
	    "l'organisation %s n'a pas de certificat %s",
	    "organisatie %s heeft geen certificaat %s"),
	MSG("organisation %s has no program \"%s\"",
	    "l'organisation %s n'a pas de programme « %s »",
	    "organisatie %s heeft geen programma \"%s\""),
	MSG("organisation %s has no rule of its own for %s",
	    "l'organisation %s n'a pas de règle propre pour %s",
	    "organisatie %s heeft geen eigen regel voor %s"),
	MSG("organisation %s is the last active coordinator: suspending it would leave no one to manage organisations and certificates; make another coordinator active first",
	    "l'organisation %s est le dernier coordinateur actif : la suspendre ne laisserait personne pour gérer les organisations et les certificats ; activez d'abord un autre coordinateur",
	    "organisatie %s is de laatste actieve coördinator: als ze geschorst wordt, kan niemand nog organisaties en certificaten beheren; maak eerst een andere coördinator actief"),
	MSG("out of memory",
	    "mémoire insuffisante",
	    "onvoldoende geheugen"),
	MSG("present the client certificate registered for your organisation",
	    "présentez le certificat client enregistré pour votre organisation",
	    "toon het clientcertificaat dat voor uw organisatie geregistreerd is"),
	MSG("receiver",
	    "destinataire",
	    "ontvanger"),
	MSG("repeats items[%zu]'s kind",
	    "répète le type de items[%zu]",
	    "herhaalt de soort van items[%zu]"),
	MSG("request id %s",
	    "identifiant de requête %s",
	    "verzoek-id %s"),
	MSG("send If-Match: \"<version>\" with the version you last read",
	    "envoyez If-Match: \"<version>\" avec la dernière version lue",
	    "stuur If-Match: \"<version>\" met de versie die u het laatst las"),
	MSG("send at least one field to change",
	    "envoyez au moins un champ à modifier",
	    "stuur minstens één veld om te wijzigen"),
	MSG("send at least one of name, members",
	    "envoyez au moins l'un de name, members",
	    "stuur minstens een van name, members"),
	MSG("send at least one of name, programs, status",
	    "envoyez au moins l'un de name, programs, status",
	    "stuur minstens een van name, programs, status"),
	MSG("send at least one of period_from, period_until, managing_partner, status, partnership_id",
	    "envoyez au moins l'un de period_from, period_until, managing_partner, status, partnership_id",
	    "stuur minstens een van period_from, period_until, managing_partner, status, partnership_id"),
	MSG("send at least one of status, kind, description, communes_served",
	    "envoyez au moins l'un de status, kind, description, communes_served",
	    "stuur minstens een van status, kind, description, communes_served"),
	MSG("send at least one of status, period_until",
	    "envoyez au moins l'un de status, period_until",
	    "stuur minstens een van status, period_until"),
	MSG("send referent, convention or both",
	    "envoyez referent, convention ou les deux",
	    "stuur referent, convention of beide"),
	MSG("send the body as Content-Type: application/json",
	    "envoyez le corps avec Content-Type: application/json",
	    "stuur de body als Content-Type: application/json"),
	MSG("sender",
	    "expéditeur",
	    "afzender"),
	MSG("site %s cannot close while %ld of its units are reserved or occupied (%s): take them back first (PATCH /v1/units/{id}, or end their occupancies)",
	    "le site %s ne peut pas fermer tant que %ld de ses logements sont réservés ou occupés (%s) : reprenez-les d'abord (PATCH /v1/units/{id}, ou mettez fin à leurs occupations)",
	    "site %s kan niet sluiten zolang %ld van zijn woningen gereserveerd of bewoond zijn (%s): neem ze eerst terug (PATCH /v1/units/{id}, of beëindig hun bewoning)"),
	MSG("the access rules do not allow this organisation %s",
	    "les règles d'accès ne permettent pas à cette organisation l'action %s",
	    "de toegangsregels staan deze organisatie de actie %s niet toe"),
	MSG("the audit log could not be written (request id %s)",
	    "le journal d'audit n'a pas pu être écrit (identifiant de requête %s)",
	    "het auditlogboek kon niet worden geschreven (verzoek-id %s)"),
	MSG("the audit log or event feed could not be written (request id %s)",
	    "le journal d'audit ou le flux d'événements n'a pas pu être écrit (identifiant de requête %s)",
	    "het auditlogboek of de gebeurtenissenfeed kon niet worden geschreven (verzoek-id %s)"),
	MSG("the certificate %s is revoked: register a new one",
	    "le certificat %s est révoqué : enregistrez-en un nouveau",
	    "het certificaat %s is ingetrokken: registreer een nieuw certificaat"),
	MSG("the certificate has expired",
	    "le certificat a expiré",
	    "het certificaat is verlopen"),
	MSG("the certificate is a CA certificate (basicConstraints CA:TRUE): a client identity must be an end-entity certificate",
	    "le certificat est un certificat d'AC (basicConstraints CA:TRUE) : une identité client doit être un certificat d'entité finale",
	    "het certificaat is een CA-certificaat (basicConstraints CA:TRUE): een clientidentiteit moet een eindentiteitscertificaat zijn"),
	MSG("the certificate is revoked by the CA's CRL",
	    "le certificat est révoqué par la CRL de l'AC",
	    "het certificaat is ingetrokken door de CRL van de CA"),
	MSG("the certificate sha256 %s is already registered",
	    "le certificat sha256 %s est déjà enregistré",
	    "het certificaat sha256 %s is al geregistreerd"),
	MSG("the certificate was not issued by the gateway's client CA",
	    "le certificat n'a pas été émis par l'AC client de la passerelle",
	    "het certificaat werd niet uitgegeven door de client-CA van de gateway"),
	MSG("the certificate's extended key usage does not include clientAuth",
	    "l'usage étendu de la clé du certificat n'inclut pas clientAuth",
	    "het uitgebreide sleutelgebruik van het certificaat bevat geen clientAuth"),
	MSG("the change could not be committed (request %s)",
	    "la modification n'a pas pu être validée (requête %s)",
	    "de wijziging kon niet worden vastgelegd (verzoek %s)"),
	MSG("the change would take access_rule.manage away from you; keep it for the coordinators",
	    "la modification vous retirerait access_rule.manage ; gardez-la pour les coordinateurs",
	    "de wijziging zou u access_rule.manage ontnemen; behoud die voor de coördinatoren"),
	MSG("the client certificate (sha256 %s) has been revoked",
	    "le certificat client (sha256 %s) a été révoqué",
	    "het clientcertificaat (sha256 %s) is ingetrokken"),
	MSG("the client certificate (sha256 %s) is not registered with the gateway; ask the coordinator to register it",
	    "le certificat client (sha256 %s) n'est pas enregistré auprès de la passerelle ; demandez au coordinateur de l'enregistrer",
	    "het clientcertificaat (sha256 %s) is niet geregistreerd bij de gateway; vraag de coördinator het te registreren"),
	MSG("the client certificate (sha256 %s) was registered by a coordinator and waits for confirmation: your organisation confirms it with a current certificate of its own (POST /v1/organisations/%s/certificates/%s/confirm), or, if it has none left, a second coordinator certificate does",
	    "le certificat client (sha256 %s) a été enregistré par un coordinateur et attend une confirmation : votre organisation le confirme avec un de ses certificats en cours (POST /v1/organisations/%s/certificates/%s/confirm) ou, si elle n'en a plus, un second certificat de coordinateur le fait",
	    "het clientcertificaat (sha256 %s) werd door een coördinator geregistreerd en wacht op bevestiging: uw organisatie bevestigt het met een eigen geldig certificaat (POST /v1/organisations/%s/certificates/%s/confirm), of, als ze er geen meer heeft, doet een tweede coördinatorcertificaat dat"),
	MSG("the client certificate could not be parsed",
	    "le certificat client n'a pas pu être lu",
	    "het clientcertificaat kon niet worden gelezen"),
	MSG("the client certificate has expired; ask the coordinator for a new one",
	    "le certificat client a expiré ; demandez-en un nouveau au coordinateur",
	    "het clientcertificaat is verlopen; vraag de coördinator om een nieuw certificaat"),
	MSG("the client certificate is a CA certificate (basicConstraints CA:TRUE); present an end-entity client certificate",
	    "le certificat client est un certificat d'AC (basicConstraints CA:TRUE) ; présentez un certificat client d'entité finale",
	    "het clientcertificaat is een CA-certificaat (basicConstraints CA:TRUE); toon een clientcertificaat van een eindentiteit"),
	MSG("the client certificate is listed on the CA's revocation list",
	    "le certificat client figure sur la liste de révocation de l'AC",
	    "het clientcertificaat staat op de intrekkingslijst van de CA"),
	MSG("the client certificate was not issued by the gateway's client CA",
	    "le certificat client n'a pas été émis par l'AC client de la passerelle",
	    "het clientcertificaat werd niet uitgegeven door de client-CA van de gateway"),
	MSG("the client certificate's validity has not started yet",
	    "la validité du certificat client n'a pas encore commencé",
	    "de geldigheid van het clientcertificaat is nog niet begonnen"),
	MSG("the consent does not cover: %s",
	    "le consentement ne couvre pas : %s",
	    "de toestemming dekt niet: %s"),
	MSG("the database did not answer in time; nothing was changed, retry",
	    "la base de données n'a pas répondu à temps ; rien n'a été modifié, réessayez",
	    "de databank antwoordde niet op tijd; er werd niets gewijzigd, probeer opnieuw"),
	MSG("the export could not be built (request id %s)",
	    "l'export n'a pas pu être construit (identifiant de requête %s)",
	    "de export kon niet worden opgebouwd (verzoek-id %s)"),
	MSG("the fields of %s are: %s",
	    "les champs de %s sont : %s",
	    "de velden van %s zijn: %s"),
	MSG("the follow-up is %s; nothing was changed",
	    "l'accompagnement a le statut %s ; rien n'a été modifié",
	    "de begeleiding heeft status %s; er werd niets gewijzigd"),
	MSG("the follow-up is at version %s, not %ld; read it again",
	    "l'accompagnement est à la version %s, pas %ld ; relisez-le",
	    "de begeleiding is aan versie %s, niet %ld; lees ze opnieuw"),
	MSG("the follow-up is closed: it takes no new entry",
	    "l'accompagnement est clôturé : il n'accepte plus de note",
	    "de begeleiding is afgesloten: ze aanvaardt geen nieuwe notitie"),
	MSG("the gateway cannot reach its database; retry after a second",
	    "la passerelle ne peut pas joindre sa base de données ; réessayez dans une seconde",
	    "de gateway kan zijn databank niet bereiken; probeer het na een seconde opnieuw"),
	MSG("the gateway cannot reach its key store; nothing was changed, retry after a second",
	    "la passerelle ne peut pas joindre son magasin de clés ; rien n'a été modifié, réessayez dans une seconde",
	    "de gateway kan zijn sleutelopslag niet bereiken; er werd niets gewijzigd, probeer het na een seconde opnieuw"),
	MSG("the idempotency record could not be written (request id %s)",
	    "l'enregistrement d'idempotence n'a pas pu être écrit (identifiant de requête %s)",
	    "het idempotentierecord kon niet worden geschreven (verzoek-id %s)"),
	MSG("the new rules would take access_rule.manage away from you; keep it for the coordinators",
	    "les nouvelles règles vous retireraient access_rule.manage ; gardez-la pour les coordinateurs",
	    "de nieuwe regels zouden u access_rule.manage ontnemen; behoud die voor de coördinatoren"),
	MSG("the occupancy is not at version %s; read it again",
	    "l'occupation n'est pas à la version %s ; relisez-la",
	    "de bewoning is niet aan versie %s; lees ze opnieuw"),
	MSG("the only transfer coding accepted is a single \"chunked\"",
	    "le seul codage de transfert accepté est un unique « chunked »",
	    "de enige aanvaarde transfercodering is één enkele \"chunked\""),
	MSG("the organisation has no active certificate: a coordinator certificate other than the one that registered this certificate, and not registered by it (nor it by this one), must confirm it",
	    "l'organisation n'a pas de certificat actif : un certificat de coordinateur autre que celui qui a enregistré ce certificat, et qui n'a pas été enregistré par lui (ni lui par celui-ci), doit le confirmer",
	    "de organisatie heeft geen actief certificaat: een ander coördinatorcertificaat dan het certificaat dat dit certificaat registreerde, en dat er niet door geregistreerd werd (noch omgekeerd), moet het bevestigen"),
	MSG("the organisation is at version %s, not %ld; read it again",
	    "l'organisation est à la version %s, pas %ld ; relisez-la",
	    "de organisatie is aan versie %s, niet %ld; lees ze opnieuw"),
	MSG("the organisation of this certificate is suspended",
	    "l'organisation de ce certificat est suspendue",
	    "de organisatie van dit certificaat is geschorst"),
	MSG("the partnership changed meanwhile; read it again",
	    "le partenariat a changé entre-temps ; relisez-le",
	    "het partnerschap is intussen gewijzigd; lees het opnieuw"),
	MSG("the partnership is at version %s, not %ld; read it again",
	    "le partenariat est à la version %s, pas %ld ; relisez-le",
	    "het partnerschap is aan versie %s, niet %ld; lees het opnieuw"),
	MSG("the period would end (%s) before it starts (%s)",
	    "la période se terminerait (%s) avant de commencer (%s)",
	    "de periode zou eindigen (%s) vóór ze begint (%s)"),
	MSG("the person's consent does not list follow_up",
	    "le consentement de la personne ne reprend pas follow_up",
	    "de toestemming van de persoon vermeldt follow_up niet"),
	MSG("the planned end exceeds the unit's maximum stay",
	    "la fin prévue dépasse la durée maximale de séjour du logement",
	    "het geplande einde overschrijdt de maximale verblijfsduur van de woning"),
	MSG("the planned end is after the unit's availability ends",
	    "la fin prévue est après la fin de disponibilité du logement",
	    "het geplande einde ligt na het einde van de beschikbaarheid van de woning"),
	MSG("the planned end must be after the start",
	    "la fin prévue doit être après le début",
	    "het geplande einde moet na het begin liggen"),
	MSG("the program \"%s\" of organisation %s is closed: it takes no new referral or intake now (see GET /v1/organisations/%s/programs)",
	    "le programme « %s » de l'organisation %s est fermé : il n'accepte pour l'instant ni nouvelle orientation ni nouvel accueil (voir GET /v1/organisations/%s/programs)",
	    "het programma \"%s\" van organisatie %s is gesloten: het aanvaardt nu geen nieuwe doorverwijzing of opname (zie GET /v1/organisations/%s/programs)"),
	MSG("the program is at version %s, not %ld; read it again",
	    "le programme est à la version %s, pas %ld ; relisez-le",
	    "het programma is aan versie %s, niet %ld; lees het opnieuw"),
	MSG("the proposal has not been accepted",
	    "la proposition n'a pas été acceptée",
	    "het voorstel werd niet aanvaard"),
	MSG("the referral already has a placement that has not ended",
	    "l'orientation a déjà une mise en logement qui n'est pas terminée",
	    "de doorverwijzing heeft al een huisvesting die niet beëindigd is"),
	MSG("the referral changed meanwhile; read it again",
	    "l'orientation a changé entre-temps ; relisez-la",
	    "de doorverwijzing is intussen gewijzigd; lees ze opnieuw"),
	MSG("the referral is at version %s, not %ld; read it again",
	    "l'orientation est à la version %s, pas %ld ; relisez-la",
	    "de doorverwijzing is aan versie %s, niet %ld; lees ze opnieuw"),
	MSG("the referral is no longer open for a placement (already placed, completed, cancelled or declined)",
	    "l'orientation n'est plus ouverte à une mise en logement (déjà logée, terminée, annulée ou refusée)",
	    "de doorverwijzing staat niet meer open voor huisvesting (al gehuisvest, afgerond, geannuleerd of geweigerd)"),
	MSG("the referral is not one you sent, received or took in yourself (an intake), or it is closed",
	    "l'orientation n'est pas une orientation que vous avez envoyée, reçue ou accueillie vous-même (un accueil), ou elle est clôturée",
	    "de doorverwijzing is er geen die u verstuurde, ontving of zelf opnam (een opname), of ze is afgesloten"),
	MSG("the referral's consent does not cover the unit's operator (by organisation or by its kind, whatever it is), or no longer holds",
	    "le consentement de l'orientation ne couvre pas le gestionnaire du logement (ni par organisation ni par type), ou n'est plus valable",
	    "de toestemming van de doorverwijzing dekt de beheerder van de woning niet (niet per organisatie en niet per soort), of geldt niet meer"),
	MSG("the referral's consent has been withdrawn or has expired; nothing was created or changed",
	    "le consentement de l'orientation a été retiré ou a expiré ; rien n'a été créé ni modifié",
	    "de toestemming van de doorverwijzing werd ingetrokken of is verlopen; er werd niets aangemaakt of gewijzigd"),
	MSG("the referral's person is placed already (another proposal of theirs was accepted, or a placement is running)",
	    "la personne de l'orientation est déjà logée (une autre proposition la concernant a été acceptée, ou une mise en logement est en cours)",
	    "de persoon van de doorverwijzing is al gehuisvest (een ander voorstel voor die persoon werd aanvaard, of een huisvesting loopt)"),
	MSG("the request body exceeds %ld bytes",
	    "le corps de la requête dépasse %ld octets",
	    "de body van het verzoek is groter dan %ld bytes"),
	MSG("the request body is empty",
	    "le corps de la requête est vide",
	    "de body van het verzoek is leeg"),
	MSG("the request body must be a JSON object",
	    "le corps de la requête doit être un objet JSON",
	    "de body van het verzoek moet een JSON-object zijn"),
	MSG("the request conflicts with the data's rules",
	    "la requête est contraire aux règles des données",
	    "het verzoek is in strijd met de regels van de gegevens"),
	MSG("the request failed inside the gateway (request id %s)",
	    "la requête a échoué dans la passerelle (identifiant de requête %s)",
	    "het verzoek mislukte in de gateway (verzoek-id %s)"),
	MSG("the request head holds a NUL byte",
	    "l'en-tête de la requête contient un octet NUL",
	    "de kop van het verzoek bevat een NUL-byte"),
	MSG("the request head holds a NUL byte or a folded header line",
	    "l'en-tête de la requête contient un octet NUL ou une ligne d'en-tête repliée",
	    "de kop van het verzoek bevat een NUL-byte of een gevouwen headerregel"),
	MSG("the request target holds an encoded NUL byte (%00)",
	    "la cible de la requête contient un octet NUL encodé (%00)",
	    "het doel van het verzoek bevat een gecodeerde NUL-byte (%00)"),
	MSG("the site changed meanwhile; read it again",
	    "le site a changé entre-temps ; relisez-le",
	    "de site is intussen gewijzigd; lees hem opnieuw"),
	MSG("the site is at version %s, not %ld; read it again",
	    "le site est à la version %s, pas %ld ; relisez-le",
	    "de site is aan versie %s, niet %ld; lees hem opnieuw"),
	MSG("the site is closed: reopen it first (PATCH /v1/sites/{id} status running)",
	    "le site est fermé : rouvrez-le d'abord (PATCH /v1/sites/{id} status running)",
	    "de site is gesloten: open hem eerst opnieuw (PATCH /v1/sites/{id} status running)"),
	MSG("the site is not one of yours",
	    "le site n'est pas l'un des vôtres",
	    "de site is niet van u"),
	MSG("the start is before the unit is available",
	    "le début est avant la disponibilité du logement",
	    "het begin ligt vóór de beschikbaarheid van de woning"),
	MSG("the unit changed meanwhile; read it again",
	    "le logement a changé entre-temps ; relisez-le",
	    "de woning is intussen gewijzigd; lees ze opnieuw"),
	MSG("the unit is %s: it is offered to nobody, it has no candidates",
	    "le logement a le statut %s : il n'est proposé à personne, il n'a pas de candidats",
	    "de woning heeft status %s: ze wordt aan niemand aangeboden, ze heeft geen kandidaten"),
	MSG("the unit is %s: proposals are taken while it is published",
	    "le logement a le statut %s : les propositions sont acceptées tant qu'il est published",
	    "de woning heeft status %s: voorstellen worden aanvaard zolang ze published is"),
	MSG("the unit is at version %s, not %ld; read it again",
	    "le logement est à la version %s, pas %ld ; relisez-le",
	    "de woning is aan versie %s, niet %ld; lees ze opnieuw"),
	MSG("the unit is no longer published (another proposal was accepted, or it was withdrawn)",
	    "le logement n'est plus publié (une autre proposition a été acceptée, ou il a été retiré)",
	    "de woning is niet meer gepubliceerd (een ander voorstel werd aanvaard, of ze werd ingetrokken)"),
	MSG("the unit's availability ended on %s: it has no candidates",
	    "la disponibilité du logement a pris fin le %s : il n'a pas de candidats",
	    "de beschikbaarheid van de woning eindigde op %s: ze heeft geen kandidaten"),
	MSG("the unit's availability ended on %s: it is no longer offered",
	    "la disponibilité du logement a pris fin le %s : il n'est plus proposé",
	    "de beschikbaarheid van de woning eindigde op %s: ze wordt niet meer aangeboden"),
	MSG("the unit's availability ended on %s: no proposal is accepted for it",
	    "la disponibilité du logement a pris fin le %s : plus aucune proposition n'est acceptée pour ce logement",
	    "de beschikbaarheid van de woning eindigde op %s: er wordt geen voorstel meer voor aanvaard"),
	MSG("the unit's site is closed: reopen it first (PATCH /v1/sites/{id} status running)",
	    "le site du logement est fermé : rouvrez-le d'abord (PATCH /v1/sites/{id} status running)",
	    "de site van de woning is gesloten: open hem eerst opnieuw (PATCH /v1/sites/{id} status running)"),
	MSG("this Idempotency-Key was used for a different request; use a new key for a new request",
	    "cette Idempotency-Key a servi pour une autre requête ; utilisez une nouvelle clé pour une nouvelle requête",
	    "deze Idempotency-Key werd voor een ander verzoek gebruikt; gebruik een nieuwe sleutel voor een nieuw verzoek"),
	MSG("this gateway has no key to protect national register numbers; send the person without niss",
	    "cette passerelle n'a pas de clé pour protéger les numéros de registre national ; envoyez la personne sans niss",
	    "deze gateway heeft geen sleutel om rijksregisternummers te beschermen; stuur de persoon zonder niss"),
	MSG("this move takes no reason code",
	    "ce changement ne prend pas de code de motif",
	    "deze overgang neemt geen redencode"),
	MSG("this occupancy has already ended",
	    "cette occupation est déjà terminée",
	    "deze bewoning is al beëindigd"),
	MSG("this organisation may not do this",
	    "cette organisation ne peut pas faire ceci",
	    "deze organisatie mag dit niet doen"),
	MSG("this person has %ld records, more than the %d one export holds; ask the operators (docs/data-protection.md)",
	    "cette personne a %ld enregistrements, plus que les %d que contient un export ; adressez-vous aux opérateurs (docs/data-protection.md)",
	    "deze persoon heeft %ld records, meer dan de %d die één export bevat; vraag het aan de beheerders (docs/data-protection.md)"),
	MSG("this person was erased: nothing about them can be recorded or read any more",
	    "cette personne a été effacée : plus rien la concernant ne peut être enregistré ni lu",
	    "deze persoon werd gewist: niets over die persoon kan nog worden geregistreerd of gelezen"),
	MSG("this proposal is already %s",
	    "cette proposition a déjà le statut %s",
	    "dit voorstel heeft al status %s"),
	MSG("this proposal was already decided",
	    "cette proposition a déjà fait l'objet d'une décision",
	    "over dit voorstel werd al beslist"),
	MSG("this proposal's unit is already occupied",
	    "le logement de cette proposition est déjà occupé",
	    "de woning van dit voorstel is al bewoond"),
	MSG("this referral already has an open proposal for this unit",
	    "cette orientation a déjà une proposition ouverte pour ce logement",
	    "deze doorverwijzing heeft al een open voorstel voor deze woning"),
	MSG("unexpected confirmation verdict (request id %s)",
	    "verdict de confirmation inattendu (identifiant de requête %s)",
	    "onverwacht bevestigingsresultaat (verzoek-id %s)"),
	MSG("unknown category \"%s\"",
	    "catégorie inconnue « %s »",
	    "onbekende categorie \"%s\""),
	MSG("unknown data category",
	    "catégorie de données inconnue",
	    "onbekende gegevenscategorie"),
	MSG("unknown field",
	    "champ inconnu",
	    "onbekend veld"),
	MSG("unknown purpose \"%s\"",
	    "finalité inconnue « %s »",
	    "onbekend doel \"%s\""),
	MSG("unknown referral status",
	    "statut d'orientation inconnu",
	    "onbekende status van doorverwijzing"),
	MSG("unknown unit status",
	    "statut de logement inconnu",
	    "onbekende status van woning"),
	/* The person's journal by receipt code (journal.c): a person reads it. */
	MSG("Unknown receipt code",
	    "Code de récépissé inconnu",
	    "Onbekende code van een ontvangstbewijs"),
	MSG("no journal answers this code: check it against the slip, or ask the organisation that gave it to you (a code can be replaced or revoked)",
	    "aucun journal ne répond à ce code : vérifiez-le sur le récépissé, ou demandez à l'organisation qui vous l'a donné (un code peut être remplacé ou révoqué)",
	    "geen logboek hoort bij deze code: controleer hem op het ontvangstbewijs, of vraag het aan de organisatie die hem u gaf (een code kan vervangen of ingetrokken zijn)"),
	MSG("too many journal readings from this address or in all; retry after %ld seconds",
	    "trop de consultations du journal depuis cette adresse ou au total ; réessayez dans %ld secondes",
	    "te veel raadplegingen van het logboek vanaf dit adres of in totaal; probeer opnieuw over %ld seconden"),
	MSG("no consent %s with a receipt you may manage",
	    "aucun consentement %s avec un récépissé que vous pouvez gérer",
	    "geen toestemming %s met een ontvangstbewijs dat u mag beheren"),
	MSG("no consent %s you recorded",
	    "aucun consentement %s que vous avez enregistré",
	    "geen toestemming %s die u hebt geregistreerd"),
	MSG("recorded your file",
	    "a enregistré votre dossier",
	    "heeft uw dossier geregistreerd"),
	MSG("recorded your consent",
	    "a enregistré votre consentement",
	    "heeft uw toestemming geregistreerd"),
	MSG("recorded the withdrawal of your consent",
	    "a enregistré le retrait de votre consentement",
	    "heeft de intrekking van uw toestemming geregistreerd"),
	MSG("received your data",
	    "a reçu vos données",
	    "heeft uw gegevens ontvangen"),
	MSG("read your data",
	    "a consulté vos données",
	    "heeft uw gegevens ingekeken"),
	MSG("exported your data, at your request",
	    "a exporté vos données, à votre demande",
	    "heeft uw gegevens geëxporteerd, op uw verzoek"),
	MSG("a housing referral",
	    "une orientation vers un logement",
	    "een doorverwijzing naar huisvesting"),
	MSG("social aid",
	    "l'aide sociale",
	    "maatschappelijke hulp"),
	MSG("opening your rights",
	    "l'ouverture de vos droits",
	    "het openen van uw rechten"),
	MSG("support in housing",
	    "l'accompagnement dans le logement",
	    "begeleiding bij het wonen"),
	MSG("health care",
	    "les soins de santé",
	    "gezondheidszorg"),
};
/* clang-format on */

/* ---- the engine: negotiation, lookup ---- */

static const char *const lang_codes[LANG_COUNT] = {"en", "fr", "nl"};

const char *
lang_code(enum lang l)
{
	return (unsigned)l < LANG_COUNT ? lang_codes[l] : lang_codes[LANG_EN];
}

/* The primary subtag of tag[0..len) (letters only, up to the first '-'), if
 * it is one of ours. */
static int
lang_primary(const char *tag, size_t len, enum lang *out)
{
	size_t n = 0;
	int i;

	while (n < len && tag[n] != '-')
		n++;
	if (n != 2)
		return -1;
	for (i = 0; i < LANG_COUNT; i++)
		if (strncasecmp(tag, lang_codes[i], 2) == 0) {
			*out = (enum lang)i;
			return 0;
		}
	return -1;
}

/* RFC 9110 language-range: "*" or 1*8ALPHA *("-" 1*8alphanum). */
static bool
range_valid(const char *s, size_t len)
{
	size_t i, run = 0;
	bool first = true;

	if (len == 1 && s[0] == '*')
		return true;
	if (len == 0)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '-') {
			if (run == 0 || run > 8)
				return false;
			run = 0;
			first = false;
			continue;
		}
		if (!(isalpha((unsigned char)s[i]) || (!first && isdigit((unsigned char)s[i]))))
			return false;
		run++;
	}
	return true;
}

int
lang_parse(const char *tag, enum lang *out)
{
	size_t len;

	if (tag == NULL)
		return -1;
	len = strlen(tag);
	if (len > 64 || !range_valid(tag, len) || strcmp(tag, "*") == 0)
		return -1;
	return lang_primary(tag, len, out);
}

/* RFC 9110 qvalue: 0[.ddd] or 1[.000], as thousandths; -1 when malformed. */
static int
parse_qvalue(const char *s, size_t len)
{
	int q, i;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < 5; i++) {
		int d = (size_t)i < len ? s[i] - '0' : 0;
		if ((size_t)i < len && !isdigit((unsigned char)s[i]))
			return -1;
		q += d * (i == 2 ? 100 : i == 3 ? 10 : 1);
	}
	return q <= 1000 ? q : -1;
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* One element of the list, "range *(OWS ; OWS param)": its range and its
 * weight (1000 when none); -1 when malformed. */
static int
parse_element(const char *p, size_t len, const char **range, size_t *range_len)
{
	size_t i = 0, start;
	int q = 1000;

	while (i < len && is_ows(p[i]))
		i++;
	start = i;
	while (i < len && !is_ows(p[i]) && p[i] != ';')
		i++;
	*range = p + start;
	*range_len = i - start;
	if (!range_valid(*range, *range_len))
		return -1;
	while (i < len) {
		size_t name, vstart;
		while (i < len && is_ows(p[i]))
			i++;
		if (i == len)
			break;
		if (p[i] != ';')
			return -1;
		i++;
		while (i < len && is_ows(p[i]))
			i++;
		name = i;
		while (i < len && p[i] != '=' && p[i] != ';' && !is_ows(p[i]))
			i++;
		if (i >= len || p[i] != '=')
			return -1;
		vstart = ++i;
		while (i < len && p[i] != ';' && !is_ows(p[i]))
			i++;
		if (i - vstart == 0)
			return -1;
		/* The weight is the only parameter RFC 9110 gives a range. */
		if (vstart - name != 2 || (p[name] != 'q' && p[name] != 'Q'))
			return -1;
		q = parse_qvalue(p + vstart, i - vstart);
		if (q < 0)
			return -1;
	}
	return q;
}

enum lang
lang_negotiate(const char *accept)
{
	/* Per language: the best weight of the ranges naming it (fr-BE names
	 * fr), and the position of the first range giving it; a range naming
	 * it beats "*" (RFC 4647: the more specific), and a bare "fr;q=0"
	 * excludes fr whatever else names it. */
	int q[LANG_COUNT] = {-1, -1, -1}, pos[LANG_COUNT] = {0, 0, 0};
	bool excluded[LANG_COUNT] = {false, false, false};
	int star_q = -1, star_pos = 0, n = 0, i;
	enum lang best = LANG_EN;
	const char *p = accept;

	while (p && *p && n < 256) {
		const char *end = strchr(p, ','), *range;
		size_t len = end ? (size_t)(end - p) : strlen(p), range_len;
		int w = parse_element(p, len, &range, &range_len);
		enum lang l;

		n++;
		/* A malformed element is ignored (an empty one, "a, , b", is allowed). */
		if (w < 0) {
		} else if (range_len == 1 && range[0] == '*') {
			if (star_q < 0) {
				star_q = w;
				star_pos = n;
			}
		} else if (lang_primary(range, range_len, &l) == 0) {
			if (w == 0 && range_len == 2)
				excluded[l] = true;
			else if (w > q[l]) {
				q[l] = w;
				pos[l] = n;
			}
		}
		p = end ? end + 1 : NULL;
	}
	for (i = 0; i < LANG_COUNT; i++) {
		if (q[i] < 0 && star_q >= 0) {
			q[i] = star_q;
			pos[i] = star_pos;
		}
		if (excluded[i])
			q[i] = 0;
	}
	/* The highest weight; on a tie the range given first; then en, fr, nl. */
	for (i = 0; i < LANG_COUNT; i++) {
		if (q[i] <= 0)
			continue;
		if (q[best] <= 0 || q[i] > q[best] || (q[i] == q[best] && pos[i] < pos[best]))
			best = (enum lang)i;
	}
	return q[best] > 0 ? best : LANG_EN;
}

static int
msg_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct message *const *)a)->text[LANG_EN],
		      (*(const struct message *const *)b)->text[LANG_EN]);
}

static const struct message *sorted[ARRAY_LEN(catalogue)];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;
static atomic_ulong misses;
/* The messages already warned about (by hash), so that each is logged once. */
#define WARNED_MAX 256
static uint32_t warned[WARNED_MAX];
static size_t warned_n;
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;

static void
sort_catalogue(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(catalogue); i++)
		sorted[i] = &catalogue[i];
	qsort(sorted, ARRAY_LEN(sorted), sizeof(sorted[0]), msg_cmp);
}

/* Letters outside printf conversions: a text to translate. */
static bool
has_words(const char *s)
{
	for (; *s; s++) {
		if (*s == '%') {
			s++;
			while (*s && strchr("-+ #0123456789.*hljztL", *s))
				s++;
			if (*s == '\0')
				break;
			continue;
		}
		if (isalpha((unsigned char)*s))
			return true;
	}
	return false;
}

static void
warn_once(const char *english)
{
	uint32_t h = 2166136261u;
	const char *s;
	size_t i;
	bool first = true;

	for (s = english; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	pthread_mutex_lock(&warned_lock);
	for (i = 0; i < warned_n; i++)
		if (warned[i] == h)
			first = false;
	if (first && warned_n < WARNED_MAX)
		warned[warned_n++] = h;
	else
		first = false;
	pthread_mutex_unlock(&warned_lock);
	if (first)
		log_warnx("message not in the catalogue (answered in English): \"%.120s\"",
			  english);
}

const char *
msg_text(const char *english, enum lang l)
{
	struct message key;
	const struct message *kp = &key, *const * found;

	if (english == NULL)
		return english;
	pthread_once(&sorted_once, sort_catalogue);
	key.text[LANG_EN] = english;
	found = bsearch(&kp, sorted, ARRAY_LEN(sorted), sizeof(sorted[0]), msg_cmp);
	if (found)
		return (unsigned)l < LANG_COUNT ? (*found)->text[l] : english;
	if (has_words(english)) {
		atomic_fetch_add_explicit(&misses, 1, memory_order_relaxed);
		warn_once(english);
	}
	return english;
}

unsigned long
msg_misses(void)
{
	return atomic_load_explicit(&misses, memory_order_relaxed);
}

const char *
msg_entry(size_t i, enum lang l)
{
	return i < ARRAY_LEN(catalogue) && (unsigned)l < LANG_COUNT ? catalogue[i].text[l] : NULL;
}
