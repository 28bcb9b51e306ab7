# Requirement sheets, tips and request drafts (src/registry requirement sheets, src/drafts).
# Element labels name the parts a request must contain; the same ids are used in registry files.

element-summary_of_facts = Summary of facts
element-legal_qualification = Legal qualification
element-provisions_text = Text of the provisions applied
element-assistance_sought = Assistance sought
element-persons_concerned = Persons concerned
element-accounts_and_assets = Accounts and assets
element-data_identifiers = Data sought and identifiers
element-link_to_offence = Link between the measure and the offence
element-dual_criminality = Dual criminality
element-deadlines_and_urgency = Deadlines and reasons for urgency
element-confidentiality = Confidentiality
element-use_of_results = Use of the results
element-judicial_decision = Judicial decision
element-guarantees = Guarantees

draft-title-mla = Request for mutual legal assistance in criminal matters
draft-title-extradition = Request for extradition
draft-title-asset_recovery = Request for assistance in tracing, freezing and confiscating assets
draft-title-digital_evidence = Request for electronic evidence
draft-title-transfer_of_proceedings = Request for the transfer of criminal proceedings
draft-title-transfer_of_sentenced_persons = Request for the transfer of a sentenced person
draft-title-jit = Proposal to set up a joint investigation team
draft-title-other = Request for legal assistance in criminal matters

draft-to = To: { $authority }, { $country }
draft-to-unknown = To: the central authority of { $country } (none is registered for this; confirm it before sending)
draft-from = From: [the requesting authority]
draft-reference = Our reference: { $reference }
draft-reference-blank = Our reference: [reference]
draft-legal-basis = Legal basis: { $treaties }
draft-legal-basis-none = Legal basis: no treaty in the registry links { $asker } and { $country } for this; the request relies on reciprocity (state it).
draft-to-complete = [To be completed: { $what }]
draft-documents = Documents enclosed:
draft-document-blank = [list the documents enclosed]
draft-languages = This request must be in { $languages }.
draft-languages-certified = This request must be in { $languages }; a translation must be certified.
draft-translation-needed = This skeleton is in English: no template exists in { $languages }. A translation is required before sending.
draft-no-sheet = No requirement sheet is registered for { $country }; these are the usual elements. Confirm the requirements with the central authority.
draft-signature = [Place, date] — [Name, position, signature and seal]
draft-demo-sheet = Built from a demo requirement sheet: not for operational use.

# The guided draft in a chat (src/drafts/draft-chat.ts).
draft-command-help = write a request step by step from the requested country's requirements
draft-flow-title = writing a draft request
draft-flow-cancelled = Cancelled. Nothing of the draft was kept.
draft-flow-gone = This draft is no longer in progress. Start again with { $prefix }draft.
draft-choose-country = Which country will receive the request?
draft-choose-competence = What kind of request to { $country }?
draft-step = { $position }/{ $total } · { $element }
draft-step-optional = { $position }/{ $total } · { $element } (where it applies)
draft-step-hint = Hint: { $hint }
draft-step-how = Type your text, or "-" to leave it for later.
draft-use-it = Use it in the draft
draft-too-long = That is longer than { $limit } characters; shorten it, or leave it for the document itself.
draft-done-heading = Draft request to { $country } ({ $competence }): { $done } of { $total } required elements written.
draft-done-missing = The elements marked ✗ are left as "[To be completed]" in the draft, with the hint.
draft-done-attached = The draft follows as a Word file and as text. It is not kept anywhere: save it.
draft-done-link = This chat is not end-to-end encrypted, so the draft is not sent here. Download it (Word) from the web console: { $url }
    The link works once, within { $minutes } minutes. Nothing of the draft is kept after that.
draft-download-title = Your draft request
draft-download-once = The file can be downloaded once; the link stops working after that.
draft-download-button = Download the draft (Word)
draft-download-gone-title = Link used or expired
draft-download-gone = This draft link was already used or has expired. Write the draft again in the chat with /draft.
