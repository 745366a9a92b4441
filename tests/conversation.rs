//! Conversations through the public engine API: small talk, off-topic questions, follow-ups.

use std::sync::OnceLock;

use sophia::{ChatRequest, Engine, Reply, ReplyKind};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::shipped)
}

fn ask(message: &str) -> Reply {
    engine().respond(&ChatRequest::new(message))
}

#[test]
fn small_talk_gets_small_talk_with_its_intent() {
    for (message, intent) in [
        ("hallo", "greeting"),
        ("Servus!", "greeting"),
        ("danke dir", "thanks"),
        ("wer bist du eigentlich", "bot_identity"),
        ("ich möchte mit einem menschen sprechen", "human_handoff"),
        ("tschüss", "goodbye"),
    ] {
        let reply = ask(message);
        assert_eq!(
            reply.kind,
            ReplyKind::Smalltalk,
            "{message}: {}",
            reply.text
        );
        assert_eq!(reply.intent.name, intent, "{message}");
        assert!(reply.sources.is_empty());
    }
}

#[test]
fn off_topic_questions_never_get_a_service() {
    for message in [
        "wie wird das wetter morgen",
        "rezept für apfelstrudel",
        "welche aktien soll ich kaufen",
        "wann spielt der fc bayern",
        "wie lange gibt es dich schon",
    ] {
        let reply = ask(message);
        assert!(
            matches!(reply.kind, ReplyKind::Fallback | ReplyKind::Smalltalk),
            "{message}: {:?} {:?}",
            reply.kind,
            reply.sources.first().map(|s| &s.title)
        );
        assert!(reply.sources.is_empty(), "{message}");
    }
}

#[test]
fn a_topic_the_catalogue_lacks_is_said_by_name_with_who_handles_it() {
    // Munich's catalogue names none of these in a service name or keyword; each message
    // shares words with some service ("Baby", "Kind", "Widerspruch", "Gewerbe").
    for (message, topic, authority) in [
        (
            "wie beantrage ich Elterngeld für mein Baby",
            "Elterngeld",
            "Elterngeldstelle",
        ),
        (
            "Kindergeldantrag für unser zweites Kind",
            "Kindergeld",
            "Familienkasse",
        ),
        (
            "Widerspruch gegen den Grundsteuerbescheid",
            "Grundsteuer",
            "Steuerstelle",
        ),
        ("Gewerbesteuer", "Gewerbesteuer", "Steuerstelle"),
        (
            "wo finde ich meine Steuer-ID",
            "Steuer ID",
            "Bundeszentralamt",
        ),
        ("wie beantrage ich Briefwahl", "Briefwahl", "Wahlamt"),
        (
            "riesiges Schlagloch in unserer Straße",
            "Schlagloch",
            "Tiefbauamt",
        ),
    ] {
        let reply = ask(message);
        assert_eq!(reply.kind, ReplyKind::Fallback, "{message}: {}", reply.text);
        assert!(reply.sources.is_empty(), "{message}");
        assert!(
            reply.text.contains(&format!("„{topic}“")),
            "{message}: {}",
            reply.text
        );
        assert!(reply.text.contains(authority), "{message}: {}", reply.text);
    }
}

#[test]
fn a_service_named_beside_a_lacking_topic_is_answered() {
    // The topic is context: the message names the service itself.
    let reply = ask("Haushaltsbescheinigung für das Kindergeld");
    assert_eq!(reply.kind, ReplyKind::Service, "{}", reply.text);
    assert_eq!(reply.sources[0].title, "Haushaltsbescheinigung");
    // A topic the catalogue names is left to the search.
    let reply = ask("BAföG beantragen");
    assert_eq!(reply.kind, ReplyKind::Service, "{}", reply.text);
    assert!(reply.sources[0].title.contains("BAföG"));
}

#[test]
fn a_separable_verb_the_synonyms_know_is_joined() {
    // "trete … aus" is "austreten", which the catalogue does not hold but the shipped
    // synonyms lead to "Kirchenaustritt".
    let reply = ask("Wie trete ich aus der Kirche aus?");
    assert_eq!(reply.kind, ReplyKind::Service, "{}", reply.text);
    assert_eq!(reply.sources[0].title, "Kirchenaustritt");
}

#[test]
fn a_misspelt_synonym_word_still_finds_its_service() {
    // "Anwohnerparkausweis" is a word of the synonym rules, not of the catalogue
    // ("Bewohnerparkausweis"); misspelt, it is corrected against the synonyms' words.
    let reply = ask("anwohnerparkasweis beantragen");
    assert_eq!(reply.kind, ReplyKind::Service, "{}", reply.text);
    assert_eq!(reply.sources[0].title, "Bewohnerparkausweis");
}

#[test]
fn a_greeting_with_a_question_is_a_service_question() {
    let reply = ask("hallo, ich brauche einen neuen Reisepass");
    assert_eq!(
        reply.sources.first().map(|s| s.id.as_str()),
        Some("1063453"),
        "{}",
        reply.text
    );
}

#[test]
fn a_word_that_typifies_the_small_talk_names_no_service() {
    // "Mensch" is in the keywords of the pension information ("Altersrente"), and it is
    // the word that asks for a human.
    for message in ["gibt es hier auch einen menschen", "einen menschen bitte"] {
        let reply = ask(message);
        assert_eq!(
            reply.intent.name, "human_handoff",
            "{message}: {}",
            reply.text
        );
        assert!(reply.sources.is_empty(), "{message}: {}", reply.text);
    }
    // A service word beside small talk still names its service.
    let reply = ask("hallo, ich brauche einen neuen Reisepass");
    assert_eq!(reply.sources[0].id, "1063453", "{}", reply.text);
}

#[test]
fn a_question_in_english_is_searched_for_its_topic_words() {
    // "need", "want", "get", "how much" say nothing the German catalogue knows.
    for (message, id) in [
        ("how much is a new passport", "1063453"),
        ("I lost my passport, what can I do?", "1078273"),
        ("we need to get a birth certificate for our son", "1063699"),
    ] {
        let reply = ask(message);
        assert!(
            reply.text.starts_with("Ich antworte auf Deutsch."),
            "{message}"
        );
        assert_eq!(
            reply.sources.first().map(|s| s.id.as_str()),
            Some(id),
            "{message}: {}",
            reply.text
        );
    }
}

#[test]
fn the_handoff_names_the_115_hotline() {
    assert!(
        ask("kann ich bitte einen mitarbeiter sprechen")
            .text
            .contains("115")
    );
}

#[test]
fn answers_are_deterministic() {
    for message in [
        "erzähl mir einen witz",
        "Was kostet ein Reisepass?",
        "Beglaubigung",
    ] {
        assert_eq!(ask(message), ask(message), "{message}");
    }
}

fn follow(message: &str, previous: &Reply) -> Reply {
    engine().respond(&ChatRequest {
        message: message.into(),
        context: Some(previous.context.clone()),
        ..Default::default()
    })
}

#[test]
fn yes_to_a_clarify_offers_the_choices_again() {
    let clarify = ask("Führerschein umschreiben");
    assert_eq!(clarify.kind, ReplyKind::Clarify);
    let yes = follow("ja genau", &clarify);
    assert_eq!(yes.kind, ReplyKind::Clarify, "{}", yes.text);
    let ids = |r: &Reply| r.sources.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&yes), ids(&clarify));
    let second = follow("die zweite", &yes);
    assert_eq!(second.sources[0].id, clarify.sources[1].id);
}

#[test]
fn an_aspect_asked_at_a_clarify_keeps_the_choices() {
    let clarify = ask("Führerschein umschreiben");
    let fees = follow("was kostet das?", &clarify);
    assert_eq!(fees.kind, ReplyKind::Clarify, "{}", fees.text);
    let eu = follow("EU", &fees);
    assert_eq!(eu.kind, ReplyKind::Aspect);
    assert_eq!(eu.sources[0].id, "1071944");
}

#[test]
fn an_aspect_asked_at_a_clarify_is_no_small_talk() {
    // "geht das online" shares its verb with "wie geht's": at a choice it asks the choices
    // for their online part.
    let clarify = ask("Führerschein umschreiben");
    assert_eq!(clarify.kind, ReplyKind::Clarify);
    for message in [
        "geht das online",
        "klappt das auch online?",
        "ist das online möglich",
    ] {
        // Both licences answer "no online application" alike, so one answer says it.
        let online = follow(message, &clarify);
        assert!(
            matches!(online.kind, ReplyKind::Clarify | ReplyKind::Aspect),
            "{message}: {:?} {}",
            online.kind,
            online.text
        );
        assert_eq!(
            online.aspect,
            Some(sophia::nlu::Aspect::Online),
            "{message}"
        );
    }
}

#[test]
fn a_part_shared_by_every_choice_is_answered_for_all_of_them() {
    let clarify = ask("Führerschein umschreiben");
    assert_eq!(clarify.kind, ReplyKind::Clarify);
    let online = follow("geht das online", &clarify);
    assert_eq!(online.kind, ReplyKind::Aspect, "{}", online.text);
    // Both choices are named and linked, each with its own booking page.
    for choice in &clarify.sources {
        assert!(online.text.contains(&choice.title), "{}", online.text);
        assert!(
            online.text.contains(&format!("/services/{}", choice.id)),
            "{}",
            online.text
        );
        assert!(online.suggestions.iter().any(|s| s.label == choice.title));
    }
    assert_eq!(online.sources.len(), clarify.sources.len());
    // The choice is still open: naming the second one answers it.
    let second = follow("die zweite", &online);
    assert_eq!(
        second.sources[0].id, clarify.sources[1].id,
        "{}",
        second.text
    );
}

#[test]
fn the_office_of_the_service_in_context_does_not_switch_through_its_synonyms() {
    // "Standesamt" also searches "Eheschließung" (synonyms.txt); the church exit is done at
    // the Standesamt too, so the question stays with it.
    let exit = ask("Kirchenaustritt");
    assert_eq!(exit.sources[0].title, "Kirchenaustritt");
    let appointment = follow("brauche ich einen termin beim standesamt", &exit);
    assert_eq!(appointment.kind, ReplyKind::Aspect, "{}", appointment.text);
    assert_eq!(appointment.sources[0].title, "Kirchenaustritt");
    // A service named by the words themselves still starts a new question.
    let trade = follow("was kostet die gewerbeanmeldung?", &appointment);
    assert_eq!(
        trade.sources[0].title, "Gewerbe-Anmeldung",
        "{}",
        trade.text
    );
}

#[test]
fn a_follow_up_about_people_or_the_context_services_words_stays() {
    // Only people and follow-up words: about the service in context, not the search's
    // "Abholung elektronischer Aufenthaltstitel".
    let household = ask("Haushaltsbescheinigung");
    assert_eq!(household.sources[0].title, "Haushaltsbescheinigung");
    let wife = follow("kann meine frau die fuer mich abholen?", &household);
    assert_eq!(
        wife.sources[0].title, "Haushaltsbescheinigung",
        "{}",
        wife.text
    );
    // Words the stolen passport's description holds are no request for a human.
    let stolen = ask("Reisepass gestohlen");
    let police = follow("brauch ich eine anzeige von der polizei", &stolen);
    assert_ne!(police.kind, ReplyKind::Smalltalk, "{}", police.text);
    assert_eq!(police.sources[0].id, stolen.sources[0].id);
}

#[test]
fn a_question_the_search_cannot_place_stays_with_the_service_in_context() {
    // Alone, the search finds nothing for it: an honest fallback.
    let alone = ask("darf das auch mein steuerbuero fuer mich erledigen");
    assert_eq!(alone.kind, ReplyKind::Fallback, "{}", alone.text);
    // Asked about the trade registration, it is about that service.
    let trade = ask("gewerbe anmelden");
    assert_eq!(trade.sources[0].title, "Gewerbe-Anmeldung");
    let adviser = follow("darf das auch mein steuerbuero fuer mich erledigen", &trade);
    assert_eq!(adviser.kind, ReplyKind::Service, "{}", adviser.text);
    assert_eq!(adviser.sources[0].id, trade.sources[0].id);
    // Off-topic stays off-topic in a conversation.
    let weather = follow("wie wird das wetter morgen", &trade);
    assert!(weather.sources.is_empty(), "{}", weather.text);
    // A service question naming something the trade registration does not hold is no
    // follow-up: it falls back as it would alone.
    for message in [
        "tisch im bierzelt auf dem oktoberfest reservieren",
        "wie beantrage ich einen kredit für mein auto",
    ] {
        assert_eq!(ask(message).kind, ReplyKind::Fallback, "{message}");
        let elsewhere = follow(message, &trade);
        assert_eq!(
            elsewhere.kind,
            ReplyKind::Fallback,
            "{message}: {}",
            elsewhere.text
        );
    }
}

#[test]
fn a_message_the_classifier_is_unsure_of_stays_with_the_service_in_context() {
    let paternity = ask(
        "wir kriegen im maerz ein baby, sind aber nicht verheiratet. wie kommt mein freund \
         als vater in die geburtsurkunde",
    );
    assert_eq!(paternity.kind, ReplyKind::Service, "{}", paternity.text);
    // No intent is sure of it, and no word names another service.
    let message = "muss ich da auch mit hin oder reicht es wenn er alleine geht? ich bin \
                   dann schon hochschwanger";
    assert_eq!(ask(message).kind, ReplyKind::Fallback);
    let along = follow(message, &paternity);
    assert_eq!(
        along.sources[0].id, paternity.sources[0].id,
        "{}",
        along.text
    );
    // Off-topic the classifier is sure of stays off-topic, short or told as a story; a
    // story naming another service is no follow-up either.
    for message in [
        "wie wird das wetter morgen",
        "hast du ein gutes rezept für apfelkuchen",
        "wer wird dieses jahr deutscher meister",
        "kannst du mir ein gutes rezept für einen schokoladenkuchen zum geburtstag verraten",
        "wie wird das wetter am wochenende in den bergen, wir wollen wandern gehen",
    ] {
        let reply = follow(message, &paternity);
        assert!(reply.sources.is_empty(), "{message}: {}", reply.text);
    }
    let fishing = follow(
        "mein sohn ist zwölf und möchte mit seinem opa angeln gehen, braucht er einen \
         fischereischein",
        &paternity,
    );
    assert_ne!(
        fishing.sources.first().map(|s| s.id.as_str()),
        Some(paternity.sources[0].id.as_str()),
        "{}",
        fishing.text
    );
}

#[test]
fn a_variant_the_question_names_much_less_is_no_choice() {
    // "Wohnsitz abmelden" and "Gewerbe-Abmeldung" share their name's weight; moving abroad
    // names the first in its keywords, the second only in its description.
    let reply = ask("ich ziehe nach spanien, muss ich mich hier abmelden");
    assert_eq!(reply.kind, ReplyKind::Service, "{}", reply.text);
    assert_eq!(reply.sources[0].title, "Wohnsitz abmelden");
    // Named alike, they stay choices.
    let reply = ask("abmelden");
    assert_eq!(reply.kind, ReplyKind::Clarify, "{}", reply.text);
}

#[test]
fn a_country_or_only_germans_pick_the_wedding_with_or_without_foreign_ties() {
    let brazil = ask(
        "Ich bin Deutscher und möchte meine Verlobte aus Brasilien hier in München heiraten. \
         Wie melden wir die Eheschließung an?",
    );
    assert_eq!(brazil.kind, ReplyKind::Service, "{}", brazil.text);
    assert_eq!(
        brazil.sources[0].title,
        "Anmeldung einer Eheschließung mit Auslandsbezug"
    );
    // Neither said: both offered; "beide Deutsche" picks the one without.
    let wedding = ask("wie melden wir unsere hochzeit an");
    assert_eq!(wedding.kind, ReplyKind::Clarify, "{}", wedding.text);
    // A new question naming a country is no pick.
    let passport = follow(
        "was kostet ein reisepass für meine reise nach brasilien",
        &wedding,
    );
    assert!(
        passport
            .sources
            .iter()
            .all(|s| !s.title.contains("Eheschließung")),
        "{}",
        passport.text
    );
    let germans = follow("wir sind beide deutsche und in muenchen geboren", &wedding);
    assert_eq!(
        germans.sources[0].title, "Anmeldung einer Eheschließung ohne Auslandsbezug",
        "{}",
        germans.text
    );
}

#[test]
fn variants_sharing_a_name_head_are_offered_when_the_question_names_neither() {
    // "Notfall-Hilfe Aufenthaltstitel – Studierende, …" and "– Beschäftigte, Angehörige".
    let urgent =
        ask("mein aufenthaltstitel ist abgelaufen und ich muss dringend ins ausland reisen");
    assert_eq!(urgent.kind, ReplyKind::Clarify, "{}", urgent.text);
    let mut ids: Vec<&str> = urgent.sources.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["10339027", "10339028"]);
    // Naming the group picks it.
    let employed = follow("ich bin angestellt, also beschäftigte", &urgent);
    assert_eq!(employed.sources[0].id, "10339028", "{}", employed.text);
}

#[test]
fn registering_is_not_answered_with_deregistering() {
    // "Wohnsitz abmelden" holds "Zweitwohnung" in its text; the question asks to register.
    for message in [
        "zweitwohnung anmelden",
        "ich will meine zweitwohnung in münchen anmelden",
    ] {
        let reply = ask(message);
        assert_eq!(reply.sources[0].id, "1063475", "{message}: {}", reply.text);
    }
    assert_eq!(ask("wohnung abmelden").sources[0].id, "1063486");
}

#[test]
fn follow_ups_in_everyday_words_stay_with_the_service() {
    let id = ask("perso abgelaufen, was muss ich fuer den neuen mitbringen");
    assert_eq!(id.sources[0].id, "1063441");
    // "geht" and "zuhause" name no service: the question is about the ID card.
    for message in [
        "geht das auch online?",
        "geht das auch von zuhause aus online",
    ] {
        let online = follow(message, &id);
        assert_eq!(online.kind, ReplyKind::Aspect, "{message}: {}", online.text);
        assert_eq!(online.sources[0].id, "1063441", "{message}");
    }
    // "Termin" is what the documents question is about, not an appointment question.
    let documents = follow("was muss ich zum termin mitbringen", &id);
    assert_eq!(documents.aspect, Some(sophia::nlu::Aspect::Documents));
    assert_eq!(documents.sources[0].id, "1063441");
}

#[test]
fn an_aspect_question_pointing_back_is_a_follow_up_beside_an_unknown_word() {
    let id = ask("perso abgelaufen, was muss ich fuer den neuen mitbringen");
    assert_eq!(id.sources[0].id, "1063441");
    // "anrufen" is unknown to the catalogue and leans to asking for a human; "dafür"
    // points back to the ID card.
    let call = follow(
        "brauche ich dafür einen termin oder kann ich auch einfach anrufen",
        &id,
    );
    assert_eq!(call.kind, ReplyKind::Aspect, "{}", call.text);
    assert_eq!(call.aspect, Some(sophia::nlu::Aspect::Appointment));
    assert_eq!(call.sources[0].id, "1063441");
    // Without a service in context it is no follow-up.
    let alone = ask("brauche ich dafür einen termin oder kann ich auch einfach anrufen");
    assert!(
        alone.sources.iter().all(|s| s.id != "1063441"),
        "{}",
        alone.text
    );
}

#[test]
fn a_question_leaning_to_a_human_stays_with_the_service_in_context() {
    let rent = ask("mietberatung");
    assert_eq!(rent.sources[0].id, "1074552");
    let help = follow(
        "kann mir da jemand bei der nebenkostenabrechnung helfen",
        &rent,
    );
    assert_eq!(help.kind, ReplyKind::Service, "{}", help.text);
    assert_eq!(help.sources[0].id, "1074552");
    // Asking for a human in so many words is still small talk, and so are thanks.
    let human = follow("ich will mit einem menschen sprechen", &rent);
    assert_eq!(human.kind, ReplyKind::Smalltalk, "{}", human.text);
    assert_eq!(human.intent.name, "human_handoff");
    for thanks in ["danke, das wars", "super, vielen dank"] {
        let reply = follow(thanks, &rent);
        assert_eq!(reply.kind, ReplyKind::Smalltalk, "{thanks}: {}", reply.text);
        assert_eq!(reply.intent.name, "thanks", "{thanks}");
    }
}

#[test]
fn a_correctly_spelt_everyday_word_is_not_corrected_into_a_service() {
    // "Paket" is one edit from "Rakete", a word of the fireworks rule.
    for message in ["wo bleibt mein paket", "mein paket ist nicht angekommen"] {
        let reply = ask(message);
        assert!(
            reply.sources.is_empty(),
            "{message}: {:?} {}",
            reply.kind,
            reply.text
        );
    }
    // A misspelt word still is.
    let typo = ask("personalausweiss beantragen");
    assert_eq!(typo.sources[0].id, "1063441");
}

#[test]
fn a_wedding_without_a_foreign_tie_is_never_answered_as_one_with_it() {
    // "mit" is a stop word: "… mit Auslandsbezug" must not pass for the general variant.
    let plain = ask("wir möchten standesamtlich heiraten");
    match plain.kind {
        ReplyKind::Clarify => assert!(
            plain.sources.iter().any(|s| s.id == "1063648"),
            "{}",
            plain.text
        ),
        kind => assert_eq!(
            plain.sources.first().map(|s| s.id.as_str()),
            Some("1063648"),
            "{kind:?} {}",
            plain.text
        ),
    }
    let foreign = ask("heiraten mit meinem verlobten aus brasilien");
    assert_eq!(foreign.sources[0].id, "10396802", "{}", foreign.text);
}

#[test]
fn whom_a_question_is_for_does_not_hide_what_it_asks() {
    // "Enkelin" and "Schwiegervater" are unknown to the catalogue: whom the question is
    // for, not a service the catalogue lacks.
    for (message, id) in [
        (
            "Was kostet ein Personalausweis für meine Enkelin?",
            "1063441",
        ),
        ("reisepass fuer meinen schwiegervater beantragen", "1063453"),
        // "Groß|mutter" splits into parts the catalogue knows; the word weighs nothing as
        // a whole all the same.
        ("Reisepass für meine Großmutter", "1063453"),
    ] {
        let reply = ask(message);
        assert!(
            matches!(reply.kind, ReplyKind::Service | ReplyKind::Aspect),
            "{message}: {:?} {}",
            reply.kind,
            reply.text
        );
        assert_eq!(reply.sources[0].id, id, "{message}");
    }
}

#[test]
fn a_follow_up_without_an_aspect_stays_when_the_service_holds_its_words() {
    let stolen = ask("perso gestohlen");
    assert_eq!(stolen.sources[0].id, "1076889");
    let police = follow("muss ich das auch bei der polizei anzeigen", &stolen);
    assert_eq!(police.kind, ReplyKind::Service, "{}", police.text);
    assert_eq!(police.sources[0].id, "1076889");
}

#[test]
fn another_service_or_an_unknown_thing_is_no_follow_up() {
    let id = ask("perso abgelaufen, was muss ich fuer den neuen mitbringen");
    let fishing = follow("und was kostet ein fischereischein", &id);
    assert_ne!(
        fishing.sources.first().map(|s| s.id.as_str()),
        Some("1063441")
    );
    let coffee = follow("was kostet ein kaffee", &id);
    assert!(coffee.sources.is_empty(), "{:?}", coffee.kind);
}

#[test]
fn an_aspect_without_any_service_asks_which_service() {
    let reply = ask("was kostet das?");
    assert_eq!(reply.kind, ReplyKind::Fallback);
    assert!(reply.text.contains("Leistung"), "{}", reply.text);
}

#[test]
fn a_count_picks_the_tier_also_as_an_answer_to_the_choice() {
    let clarify = ask("Beglaubigung");
    assert_eq!(clarify.kind, ReplyKind::Clarify);
    assert_eq!(clarify.sources.len(), 3, "all three tiers are offered");
    assert_eq!(follow("3 Zeugnisse", &clarify).sources[0].id, "1063426");
    assert_eq!(
        ask("ich möchte 10 Dokumente beglaubigen lassen").sources[0].id,
        "10225181"
    );
}

#[test]
fn one_word_of_small_talk_is_no_service_question() {
    for message in ["Kannst du mir helfen?", "passt", "Hilfe"] {
        let reply = ask(message);
        assert_eq!(
            reply.kind,
            ReplyKind::Smalltalk,
            "{message}: {}",
            reply.text
        );
    }
}

#[test]
fn services_this_catalogue_lacks_get_no_random_service() {
    for message in [
        "Hundesteuer",
        "Was kostet die Hundesteuer?",
        "Bürgergeld",
        "Elterngeld beantragen",
    ] {
        let reply = ask(message);
        assert!(
            reply.sources.is_empty(),
            "{message}: {:?}",
            reply.sources.first().map(|s| &s.title)
        );
    }
}

#[test]
fn hostile_input_never_panics() {
    let long = "ä".repeat(5000);
    let nested = "(".repeat(3000);
    for message in [
        "",
        " ",
        "\u{0}",
        "\u{202e}gnaltsam\u{202c}",
        "🙂🙂🙂",
        "\u{200b}",
        long.as_str(),
        nested.as_str(),
        "<script>alert(1)</script>",
        "'; DROP TABLE services; --",
        "Reisepass\u{0}Personalausweis",
        "1 2 3 4 5 6 7 8 9 10",
    ] {
        let reply = ask(message);
        assert!(!reply.context.is_empty());
    }
}

#[test]
fn no_pointless_choice_when_all_choices_share_the_answer() {
    // The three Beglaubigung tiers are offered at the same offices.
    let reply = ask("wo kann ich dokumente beglaubigen lassen");
    assert_eq!(reply.kind, ReplyKind::Aspect, "{}", reply.text);
    assert!(!reply.offices.is_empty());
    // The tiers up to 5 and up to 20 documents charge the same per document.
    let fees = ask("was kostet eine beglaubigung");
    assert_eq!(fees.kind, ReplyKind::Aspect, "{}", fees.text);
    assert!(fees.text.contains("5 Euro"), "{}", fees.text);
}

#[test]
fn the_old_names_of_the_registration_papers_pick_their_part() {
    // Fahrzeugschein = Zulassungsbescheinigung Teil I, Fahrzeugbrief = Teil II.
    for (message, want) in [
        ("Fahrzeugschein verloren", "1064275"),
        ("fahrzeugbrief verloren was nun", "1064278"),
    ] {
        let reply = ask(message);
        assert_eq!(
            reply.sources.first().map(|s| s.id.as_str()),
            Some(want),
            "{message}: {:?} {}",
            reply.kind,
            reply.text
        );
    }
}

#[test]
fn the_country_of_a_licence_picks_the_eu_or_the_foreign_variant() {
    for (message, want) in [
        ("Führerschein aus Kroatien umschreiben", "1071944"),
        ("fahrerlaubnis aus brasilien umtauschen", "1071896"),
        (
            "Ich habe einen kanadischen Führerschein, wie schreibe ich den um?",
            "1071896",
        ),
    ] {
        let reply = ask(message);
        assert_eq!(reply.kind, ReplyKind::Service, "{message}: {}", reply.text);
        assert_eq!(reply.sources[0].id, want, "{message}");
    }
    // Without a country both stay open.
    assert_eq!(ask("Führerschein umschreiben").kind, ReplyKind::Clarify);
}

#[test]
fn the_eval_lists_a_turn_with_the_right_service_but_another_part_as_a_miss() {
    use sophia::eval::conversation;
    let set = conversation::parse(
        "parts.toml",
        "[[dialog]]\nname = \"Pass\"\n[[dialog.turn]]\nq = \"reisepass beantragen\"\n\
         expect = [\"1063453\"]\naspect = \"fees\"\n",
    )
    .unwrap();
    let report = conversation::run(engine(), &set);
    assert_eq!(report.scores.turn_accuracy, 1.0, "{:?}", report.misses);
    assert_eq!(report.scores.aspect_accuracy, 0.0);
    assert!(
        report
            .misses
            .iter()
            .any(|m| m.contains("want the part Fees")),
        "{:?}",
        report.misses
    );
}
