# Ответы на вопросы «кто чем занимается и где» (src/ask). Простой текст; разметку добавляют адаптеры.

ask-help =
    Я нахожу нужного коллегу в реестре сети. Спросите своими словами, по-русски или по-английски, например:
    • кто занимается экстрадицией в Кыргызстане
    • ВПП Ташкент
    • возврат активов: контакты в Армении и Грузии
ask-which-country = В какой стране нужен контакт по теме «{ $competence }»? Напишите или выберите ниже.
ask-which-country-any = В какой стране нужен контакт? Напишите или выберите ниже.
ask-not-in-registry = Страны «{ $country }» нет в реестре сети, поэтому проверенных контактов там у меня нет.
ask-heading = { $competence } — { $country }
ask-heading-all = Контакты — { $country }
ask-group-heading = { $competence }:
ask-no-contacts = Действующих контактов по теме «{ $competence }» в стране «{ $country }» пока нет.
ask-no-contacts-all = Действующих контактов в стране «{ $country }» пока нет.
ask-more-contacts = …и ещё { $count }.
ask-show-all = Показать все { $count }
ask-show-all-country = Показать все { $count } — { $country }
ask-cut-short = Ответ не поместился в одно сообщение; спросите о меньшем числе стран или об одной теме.
ask-more-countries = Я ответил по первым { $count } странам; по остальным спросите отдельно.

ask-contact = { $position }. { $name } — { $title }
ask-contact-languages = Языки: { $languages }
ask-contact-time = Местное время { $time } ({ $inside ->
        [yes] рабочее время
       *[no] нерабочее время
    })
ask-contact-verified = проверено { $date }
ask-contact-stale = проверено { $date }, данные могли устареть
ask-contact-away = Отсутствует до { $until }
ask-contact-away-note = Отсутствует до { $until } ({ $note })
ask-see-above = (см. выше)
ask-contact-deputy = замещает: { $deputy }

ask-central-authority = Центральный орган: { $authority }
ask-central-authority-stages = Центральный орган ({ $stages }): { $authority }
ask-request-languages = Языки запросов: { $languages }
ask-accepted-channels = Способы направления: { $channels }
ask-urgent = Срочные запросы: { $procedure }
ask-urgent-heading = Срочные запросы:
ask-legal-bases = Правовые основания: { $treaties }
ask-legal-bases-none = В реестре нет договора, связывающего страны «{ $asker }» и «{ $country }» по этой теме.
ask-legal-bases-none-any = В реестре нет договора по этой теме для страны «{ $country }».

ask-requirements-heading = Требования к запросам ({ $competence }) в страну «{ $country }»
ask-requirements-none = Центральный орган по теме «{ $competence }» для страны «{ $country }» не указан.
ask-stale-action = Эта кнопка устарела. Пожалуйста, задайте вопрос ещё раз.

ask-button-consult = Запросить консультацию
ask-button-consult-country = Консультация: { $country }
ask-button-requirements = Требования к запросу
ask-button-requirements-country = Требования: { $country }
ask-button-contacts = Показать контакты
ask-button-contacts-country = Контакты: { $country }

ask-stage-pre_trial = досудебная стадия
ask-stage-trial = судебная стадия
ask-stage-enforcement = исполнение приговора

ask-channel-telegram = Telegram
ask-channel-matrix = Matrix
ask-channel-email = Эл. почта
ask-channel-phone = Телефон
ask-channel-fax = Факс

ask-accepted-post = почта
ask-accepted-diplomatic = дипломатические каналы
ask-accepted-email_advance_copy = предварительная копия по эл. почте
ask-accepted-email = эл. почта
ask-accepted-fax = факс
ask-accepted-interpol = Интерпол

# Требования к запросам и советы (src/ask/practical-answers.ts).
ask-sheet-general = (Общие требования страны: отдельных требований по теме «{ $competence }» нет.)
ask-sheet-languages = Языки: { $languages }
ask-sheet-languages-certified = Языки: { $languages }; перевод должен быть заверен
ask-sheet-legal-bases-between = Правовые основания между странами «{ $asker }» и «{ $country }»: { $treaties }
ask-sheet-elements = Запрос должен содержать { $required ->
        [one] { $required } элемент
        [few] { $required } элемента
       *[many] { $required } элементов
    } (список — по кнопке «Показать всё»).
ask-sheet-elements-optional = Запрос должен содержать { $required ->
        [one] { $required } элемент
        [few] { $required } элемента
       *[many] { $required } элементов
    } и ещё { $optional } — если применимо (список — по кнопке «Показать всё»).
ask-sheet-urgent = Срочно: { $route }
ask-sheet-verified = Проверено { $date }
ask-sheet-stale = Проверено { $date }, возможно, устарело: уточните у центрального органа
ask-sheet-demo = демонстрационные данные, не официальные требования
ask-sheet-tip = Совет: { $title }
ask-sheet-must-contain = Что должен содержать запрос:
ask-sheet-where-applies = Если применимо:
ask-sheet-documents = Прилагаемые документы:
ask-sheet-return-reasons = Почему запросы возвращают:
ask-sheet-retention = Сроки хранения: { $retention }
ask-sheet-notes = Примечание: { $notes }
ask-button-show-all = Показать всё
ask-button-show-all-country = Всё: { $country }
ask-button-draft = Составить черновик
ask-button-draft-country = Черновик: { $country }
ask-button-tip = Совет: { $title }
ask-button-more-tips = Ещё советы: { $topic }
ask-tips-heading = Советы сети по теме «{ $topic }»:
ask-tips-open = Выберите совет, чтобы прочитать его.
ask-tips-none = Советов по теме «{ $topic }» пока нет.
ask-tips-topics = Советы сети есть по этим темам; выберите тему.
ask-tip-sources = Источники:
ask-tip-verified = Проверено { $date } · практические заметки по открытым источникам, не юридическая консультация.
