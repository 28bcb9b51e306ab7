# Informal consultations (src/consultations). $ref is the short reference, e.g. C-12.
# $prefix is the messenger's command sign, e.g. "/" or "!".
# Texts about sensitive content name the messengers whose adapters say end-to-end encrypted (never
# one fixed name): $messenger is their names as alternatives ("A or B"), $command the
# consult command as typed there, $encryptedMessengers how many there are (0: none is).

consult-command = start an informal consultation with a counterpart
consult-command-close = close a consultation
consult-argument-country-competence = COUNTRY COMPETENCE

# Starting in chat
consult-ask-country = Which country is your consultation about? Send its name or code, for example: KG or Uzbekistan.
consult-unknown-country = I do not know the country “{ $input }” in the registry. Send its name or two-letter code, for example: KG.
consult-ask-competence = What is it about in { $country }?
consult-ask-sensitivity =
    Is this consultation sensitive?
    { $encryptedMessengers ->
        [0] Sensitive consultations are relayed only between end-to-end encrypted chats, and no messenger connected here is end-to-end encrypted: each side gets a notice instead of the content.
       *[other] Sensitive consultations are relayed only between end-to-end encrypted { $messenger } chats; a side on another messenger gets a notice to move to { $messenger } instead of the content.
    }
consult-sensitive-yes = { $encryptedMessengers ->
    [0] Sensitive (end-to-end encrypted chats only)
   *[other] Sensitive ({ $messenger } only)
}
consult-sensitive-no = Not sensitive
consult-sensitive-needs-encrypted = { $encryptedMessengers ->
    [0] Sensitive consultations take place in end-to-end encrypted chats only, and no messenger connected here is end-to-end encrypted. Nothing was sent.
   *[other] Sensitive consultations take place in end-to-end encrypted { $messenger } chats only. Open your { $messenger } chat with me and send { $command } there. Nothing was sent.
}
consult-ask-description = Describe your question in a few sentences ({ $country }, { $competence }). It goes to the counterpart as it is.
consult-description-too-long = That is { $length } characters; please keep the description under { $max }.
consult-flow-title = the consultation request
consult-country-placeholder = a country's name or code, e.g. KG
consult-description-placeholder = your question, in a few sentences
consult-use-as-description = Use it as the description
consult-decline-flow-title = the reason for declining
consult-decline-placeholder = a short reason for the asker
consult-use-as-reason = Use it as the reason
consult-decline-cancelled = Not declined: the consultation still waits for your answer.
consult-decline-gone = That step has expired. Press Decline under the consultation again.
consult-choose-flow-title = the choice of consultation
consult-draft-cancelled = Consultation not started. Nothing was sent.
consult-draft-expired = That step has expired. Send { $prefix }consult to start again.

# Routing, as the asker sees it
consult-started = Consultation { $ref } is on its way to { $name } ({ $authority }). I will tell you when they accept.
consult-started-deputy = Consultation { $ref } is on its way to { $name } ({ $authority }), who stands in for { $absent } while they are away. I will tell you when they accept.
consult-started-coordinator = { $name } cannot be reached through a messenger, so consultation { $ref } went to the national coordinator of { $country }. I will tell you when someone accepts.
consult-rerouted-timeout = Nobody accepted consultation { $ref } in time, so it now goes to { $name } ({ $authority }).
consult-handover-asker = { $from } no longer handles this, so consultation { $ref } now goes to { $name } ({ $authority }).
consult-handover-asker-coordinators = { $from } no longer handles this, so consultation { $ref } now goes to the coordinators for { $country }.
consult-rerouted-timeout-coordinator = Nobody accepted consultation { $ref } in time, so it now goes to the national coordinator of { $country }.
consult-rerouted-no-messenger = { $name } cannot be reached through a messenger, so consultation { $ref } now goes to the national coordinator of { $country }.
consult-forwarded-asker = { $from } forwarded consultation { $ref } to { $name } ({ $authority }).
consult-accepted-asker =
    { $name } ({ $authority }) accepted consultation { $ref }.
    Write here: your messages are relayed to them. { $prefix }close ends the consultation.
consult-declined-asker =
    { $name } ({ $authority }) declined consultation { $ref }.
    Reason: { $reason }
consult-expired-asker = Nobody accepted consultation { $ref }, not even the national coordinator of { $country }. You may start a new one later or contact them by the channels in the registry.
consult-unreachable-asker = Nobody for { $competence } in { $country } can be reached through a messenger yet, and the country has no reachable coordinator. Consultation { $ref } could not be delivered.
consult-fallback-heading = You can write or call them directly:
consult-fallback-contact = { $name }, { $authority }: { $channels }
consult-fallback-email = e-mail { $address }
consult-fallback-phone = phone { $address }

# "Tell me when someone links" (an undeliverable consultation's button)
consult-button-watch = Tell me and the coordinator when someone links
consult-button-consult-contact = Consult { $name }
consult-watch-set = Done. When someone for { $competence } in { $country } links a messenger, you will be told here (consultation { $ref }), and so will the national coordinator of { $country } once they can be reached.
consult-watch-set-told = Done. The national coordinator of { $country } has been told that you are waiting; when someone for { $competence } in { $country } links a messenger, you will be told here (consultation { $ref }).
consult-watch-already = You are already waiting for someone for { $competence } in { $country } to link (consultation { $ref }); you will be told once.
consult-watch-delivered = Consultation { $ref } reached someone, so there is nobody to wait for.
consult-watch-reachable-now = { $name } ({ $authority }) can be reached through a messenger now: consult them about { $competence } in { $country } (instead of { $ref }).
consult-watch-coordinator =
    { $asker } ({ $askerAuthority }) wanted to consult someone for { $competence } in { $country } (consultation { $ref }), but nobody can be reached through a messenger. Please invite them to link Counterpart; you will be told when one does:
consult-watch-linked-asker = { $name } ({ $authority }) has linked a messenger: you can now consult them about { $competence } in { $country } (consultation { $ref } could not be delivered).
consult-watch-linked-coordinator = { $name } ({ $authority }) has linked a messenger. { $asker } ({ $askerAuthority }) was waiting for someone for { $competence } in { $country } (consultation { $ref }) and has been told.

# Routing, as the recipient sees it
consult-request =
    Consultation request { $ref } from { $asker } ({ $askerAuthority }) about { $competence } in { $country }:

    { $description }

    Please accept, decline or forward it before { $deadline }.
consult-request-sensitive =
    Sensitive consultation request { $ref } from { $asker } ({ $askerAuthority }) about { $competence } in { $country }.
    { $encryptedMessengers ->
        [0] Its description is shown only in end-to-end encrypted chats, and no messenger connected here is end-to-end encrypted.
       *[other] Its description is shown only in end-to-end encrypted { $messenger } chats: link a { $messenger } account to read it and talk.
    }
    Please accept, decline or forward it before { $deadline }.
consult-request-deputy = You receive it as the deputy of { $absent }, who is away.
consult-request-coordinator-no-messenger = You receive it as national coordinator: { $name } cannot be reached through a messenger. Forward it to the right person or answer yourself.
consult-request-coordinator-timeout = You receive it as national coordinator: nobody accepted it in time. Forward it to the right person or answer yourself.
consult-request-forwarded = { $from } forwarded it to you.
consult-request-handover = { $from } no longer handles this; it comes to you as their successor.
consult-button-accept = Accept
consult-button-decline = Decline
consult-button-forward = Forward to a colleague
consult-button-close = Close
consult-button-choose = { $ref }: { $name }
consult-forward-choose = Forward consultation { $ref } to:
consult-forward-nobody = Nobody else holds { $competence } here. You may decline with a reason instead.
consult-forwarded-you = Consultation { $ref } is forwarded to { $name }. Thank you.
consult-decline-ask-reason = Why do you decline consultation { $ref }? Write a short reason; the asker will see it.
consult-declined-you = You declined consultation { $ref }. The asker has been told.
consult-accepted-you =
    You accepted consultation { $ref } from { $asker } ({ $askerAuthority }).
    Write here: your messages are relayed to them. { $prefix }close ends the consultation.
consult-accepted-you-sensitive =
    You accepted sensitive consultation { $ref } from { $asker } ({ $askerAuthority }).
    { $encryptedMessengers ->
        [0] Its content is relayed only between end-to-end encrypted chats, and no messenger connected here is end-to-end encrypted.
       *[other] Its content is relayed only in { $messenger }: continue in your { $messenger } chat with me.
    }
consult-no-longer-yours = Consultation { $ref } is no longer waiting for you (it was accepted, withdrawn or moved on).
consult-moved-on = Consultation { $ref } moved on to someone else because it was not accepted in time.

# Talking
# "[" opens a variant at the start of a Fluent line, hence the quoted bracket.
consult-relay =
    { "[" }{ $ref }] { $name } ({ $authority }):
    { $text }
consult-relay-withheld = { "[" }{ $ref }] { $name } sent a message in a sensitive consultation. { $encryptedMessengers ->
    [0] Sensitive content is shown only in end-to-end encrypted chats, and no messenger connected here is end-to-end encrypted.
   *[other] Sensitive content is shown only in end-to-end encrypted { $messenger } chats: link a { $messenger } account and continue there.
}
consult-sensitive-send-from-encrypted = Consultation { $ref } is sensitive: { $encryptedMessengers ->
    [0] its messages are relayed only between end-to-end encrypted chats, and no messenger connected here is end-to-end encrypted.
   *[other] send your messages from { $messenger }.
} This message was not relayed.
consult-relay-recipient-not-encrypted = { $encryptedMessengers ->
    [0] { $name } has no end-to-end encrypted chat with me, so your message in sensitive consultation { $ref } was not relayed.
   *[other] { $name } has no { $messenger } account linked, so your message in sensitive consultation { $ref } was not relayed; they have been asked to move to { $messenger }.
}
consult-choose = You have several open consultations. Which one is this message for?
consult-choose-expired = That message is no longer held. Please send it again.
consult-close-choose = Which consultation do you want to close?
consult-close-none = You have no open consultation.
consult-closed-you = Consultation { $ref } is closed. Thank you.
consult-closed-other = { $name } closed consultation { $ref }.
consult-withdrawn = The asker withdrew consultation { $ref }.
consult-not-yours = This consultation is not yours.
consult-not-open = Consultation { $ref } is not open any more.
consult-invalid = That did not work: { $reason }
consult-reason-withheld = { $encryptedMessengers ->
    [0] (shown only in end-to-end encrypted chats)
   *[other] (shown only in end-to-end encrypted { $messenger } chats)
}
