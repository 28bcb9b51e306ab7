# Требования к запросам, советы и черновики запросов (src/registry, src/drafts).

element-summary_of_facts = Изложение фактов
element-legal_qualification = Правовая квалификация
element-provisions_text = Текст применяемых норм
element-assistance_sought = Запрашиваемая помощь
element-persons_concerned = Лица, которых касается запрос
element-accounts_and_assets = Счета и активы
element-data_identifiers = Запрашиваемые данные и идентификаторы
element-link_to_offence = Связь запрашиваемой меры с преступлением
element-dual_criminality = Двойная преступность
element-deadlines_and_urgency = Сроки и причины срочности
element-confidentiality = Конфиденциальность
element-use_of_results = Использование результатов
element-judicial_decision = Судебное решение
element-guarantees = Гарантии

draft-title-mla = Запрос о взаимной правовой помощи по уголовному делу
draft-title-extradition = Запрос о выдаче
draft-title-asset_recovery = Запрос о содействии в розыске, аресте и конфискации активов
draft-title-digital_evidence = Запрос о предоставлении электронных доказательств
draft-title-transfer_of_proceedings = Запрос о передаче уголовного преследования
draft-title-transfer_of_sentenced_persons = Запрос о передаче осуждённого лица
draft-title-jit = Предложение о создании совместной следственной группы
draft-title-other = Запрос о правовой помощи по уголовному делу

draft-to = Кому: { $authority }, { $country }
draft-to-unknown = Кому: центральный орган страны «{ $country }» (в реестре не указан; уточните до отправки)
draft-from = От: [запрашивающий орган]
draft-reference = Наш номер: { $reference }
draft-reference-blank = Наш номер: [номер]
draft-legal-basis = Правовое основание: { $treaties }
draft-legal-basis-none = Правовое основание: в реестре нет договора, связывающего страны «{ $asker }» и «{ $country }» по этому вопросу; запрос основан на взаимности (укажите это).
draft-to-complete = [Заполнить: { $what }]
draft-documents = Приложения:
draft-document-blank = [перечислите приложения]
draft-languages = Запрос составляется на языке: { $languages }.
draft-languages-certified = Запрос составляется на языке: { $languages }; перевод должен быть заверен.
draft-translation-needed = Шаблон составлен на английском: шаблона на языке «{ $languages }» нет. До отправки нужен перевод.
draft-no-sheet = Для страны «{ $country }» требования не зарегистрированы; перечислены обычные элементы. Уточните требования у центрального органа.
draft-signature = [Место, дата] — [ФИО, должность, подпись и печать]
draft-demo-sheet = Составлено по демонстрационным требованиям: не для практического использования.

# Черновик запроса в чате (src/drafts/draft-chat.ts).
draft-command-help = составить запрос по шагам по требованиям запрашиваемой страны
draft-flow-title = составление черновика запроса
draft-flow-cancelled = Отменено. Ничего из черновика не сохранено.
draft-flow-gone = Этот черновик уже не составляется. Начните заново: { $prefix }черновик.
draft-choose-country = В какую страну направляется запрос?
draft-choose-competence = Какой запрос в страну «{ $country }»?
draft-step = { $position }/{ $total } · { $element }
draft-step-optional = { $position }/{ $total } · { $element } (если применимо)
draft-step-hint = Подсказка: { $hint }
draft-step-how = Напишите текст или «-», чтобы заполнить позже.
draft-use-it = Использовать в черновике
draft-too-long = Текст длиннее { $limit } символов; сократите его или допишите в самом документе.
draft-done-heading = Черновик запроса в страну «{ $country }» ({ $competence }): заполнено { $done } из { $total } обязательных элементов.
draft-done-missing = Элементы с ✗ остались в черновике как «[Заполнить]» с подсказкой.
draft-done-attached = Черновик — ниже, файлом Word и текстом. Он нигде не хранится: сохраните его.
draft-done-link = Этот чат не защищён сквозным шифрованием, поэтому черновик сюда не отправляется. Скачайте его (Word) в веб-консоли: { $url }
    Ссылка работает один раз, в течение { $minutes } мин. После этого от черновика ничего не остаётся.
draft-download-title = Ваш черновик запроса
draft-download-once = Файл можно скачать один раз; после этого ссылка перестаёт работать.
draft-download-button = Скачать черновик (Word)
draft-download-gone-title = Ссылка использована или устарела
draft-download-gone = Эта ссылка на черновик уже использована или устарела. Составьте черновик заново в чате командой /черновик.
