# Conversation engine (src/chat): what every messenger shows, whatever the platform.
# $prefix is the messenger's command sign (its capabilities say which), e.g. "/" or "!". A messenger's
# name comes from its adapter (messenger-name-<platform>), never from these files.

chat-refusal-unknown =
    Hello! This assistant answers members of the Counterpart network only, and this account is not linked to a member yet.
    To link it, ask your national coordinator (or the network secretariat) for an invite code, then send { $link } CODE here, or open the invite link you received.
chat-link-done = Welcome, { $name }! This account is now linked. Ask me in plain words who handles what, for example: “who handles extradition in Kyrgyzstan”. { $prefix }help lists the commands.
chat-link-already = This account is already linked to you, { $name }. Just ask your question.
chat-link-account-taken = This account is already linked to another member. Send { $prefix }unlink first if you want to link it to someone else.
chat-link-refused = This code was not accepted: it may be mistyped, used already or expired. Ask your coordinator for a new invite.
chat-link-throttled = Too many wrong codes. Please wait a few minutes and try again.
chat-link-missing-code = Send the code after the command, like this: { $link } CODE
chat-link-private-only = Send invite codes to me in a private chat only, never in a group. If you posted a code here, ask your coordinator to withdraw it and issue a new one.
chat-start-member = Hello again, { $name }. Ask me who handles what, or send { $prefix }help for the commands.

chat-help-heading = Commands:
chat-help-free-text = Or just write a question in plain words, for example: “who handles extradition in Kyrgyzstan” or “MLA Tashkent”.
chat-help-unknown-account = Only the commands above work until this account is linked with an invite code.

chat-command-help = show this help
chat-command-start = link this account with an invite code
chat-command-link = link this account with an invite code
chat-command-language = choose the answer language (English or Russian)
chat-command-whoami = show who you are signed in as
chat-command-unlink = unlink this account from your membership
chat-argument-code = CODE
chat-argument-language = en|ru

chat-unknown-command = I do not know the command { $command }. Send { $prefix }help for the list.
chat-command-forbidden = This command needs the { $role } role.
chat-unknown-action = This button no longer works. Please ask again.
chat-group-private-only = I share contact details only in a private chat. Please write to me directly.
chat-group-command-private-only = Please use this command in a private chat with me.

chat-language-choose = Choose the language of my answers:
chat-language-set = From now on I will answer in English.
chat-language-unknown = I speak English (en) and Russian (ru). Send { $prefix }language en or { $prefix }language ru.
chat-language-name-en = English
chat-language-name-ru = Русский

chat-whoami =
    You are { $name }, { $role } for { $country }.
    Linked accounts: { $accounts }.
    Answer language: { $language }.
chat-whoami-contact = You are the person behind registry contact { $contactId }.
chat-role-admin = administrator
chat-role-coordinator = national coordinator
chat-role-member = member
chat-language-auto = chosen from your messages

chat-unlink-confirm = Unlink this account from your membership? You will need a new invite code to link it again.
chat-unlink-yes = Yes, unlink
chat-unlink-no = No, keep it
chat-unlink-done = This account is unlinked. To link it again, ask your coordinator for a new invite code.
chat-unlink-kept = Nothing changed; the account stays linked.

# Conversation flows (guided dialogues): what every flow shares. $title names the flow
# ("the request registration"); $prefix is the command sign.
chat-command-cancel = stop what you are filling in (a request, a consultation) without sending anything
chat-command-back = go back to the previous question of what you are filling in; with nothing in progress, end your absence
flow-yes = Yes
flow-no = No
flow-button-back = Back
flow-button-cancel = Cancel
flow-button-ask = Ask it as a question
flow-hint-cancel = ({ $prefix }cancel to stop.)
flow-hint-cancel-back = ({ $prefix }back for the previous question, { $prefix }cancel to stop.)
flow-question-confirm = This looks like a new question rather than an answer. What should I do with it?
flow-choose-option = Please choose one of the options below.
flow-date-invalid = Please type the date like 01.03.2026 or 2026-03-01.
flow-reminder = You have not finished { $title }:
flow-timed-out = Time ran out for { $title }; nothing was kept or sent.
flow-replaced = Dropped { $title } you had not finished.
flow-cancelled = Cancelled { $title }. Nothing was sent.
flow-nothing-to-cancel = There is nothing to cancel.
flow-nothing-to-go-back = There is nothing to go back to.
flow-back-first-step = This is the first question.
flow-stale-button = That button belongs to an earlier question. Here is the current one:
flow-busy = Your previous answer is still being handled. Please try again.
flow-nothing-held = No message is waiting for a decision.
flow-title-generic = the conversation
# An admin of no country (the network's secretariat) asks: which country is the question for?
chat-ask-country-title = asking a question
chat-ask-country-prompt = You belong to no country (the network's secretariat). Which country are you asking for?
chat-ask-country-gone = That question has expired. Please ask it again.
chat-ask-country-cancelled = Cancelled. The question was not asked.
