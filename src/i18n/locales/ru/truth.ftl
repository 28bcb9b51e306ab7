# Актуальность реестра: передача дел, предложения, повторная проверка, отсутствие, сводка.

truth-deputy-retired = { $name } больше не работает. Эти записи всё ещё называют его (её) заместителем: { $records }. Пожалуйста, назначьте новых заместителей.

truth-proposal-new =
    { $name } предлагает изменить свою запись в реестре ({ $fields }):
    { $changes }
    Одобрите, если всё верно; запись изменится только после этого.
truth-proposal-retire-new = { $name } сообщает, что больше не занимается этой работой. Одобрение переводит запись в архив и передаёт открытые консультации и запросы.
truth-button-approve = Одобрить
truth-button-reject = Отклонить
truth-proposal-approved = Предложенное вами изменение ({ $fields }) одобрено: реестр обновлён.
truth-proposal-rejected = Предложенное вами изменение ({ $fields }) не одобрено. Координатор может объяснить причину.
truth-proposal-you-approved = Одобрено ({ $fields }). Запись обновлена.
truth-proposal-you-rejected = Отклонено ({ $fields }). Автору сообщено.
truth-proposal-not-yours = Вы не можете решить по этому предложению: это может только координатор той страны, который его не предлагал.
truth-proposal-decided = По этому предложению уже принято решение.
truth-proposal-gone = Этого предложения больше нет.

truth-prompt = Пожалуйста, проверьте свою запись в реестре сети (последняя проверка { $verifiedAt }). По ней вас находят коллеги из других стран.
truth-prompt-reminder = Напоминание: ваша запись в реестре сети всё ещё ждёт проверки (последняя проверка { $verifiedAt }).
truth-prompt-question = Всё ли по-прежнему верно?
truth-record-competences = Занимается: { $competences }
truth-record-languages = Языки: { $languages }
truth-record-hours = Рабочее время: дни { $days }, { $start }–{ $end }
truth-button-correct = Всё верно
truth-button-changed = Есть изменения
truth-button-away = Я отсутствую
truth-button-gone = Больше этим не занимаюсь
truth-confirmed = Спасибо: ваша запись подтверждена на сегодня.
truth-not-your-record = Эта кнопка — для человека, которого описывает запись.
truth-not-a-contact = Это для контактных лиц реестра, а ваша учётная запись ни с одним не связана. Координатор может её связать.
truth-refused = Не получилось:
truth-flow-gone = Этот вопрос устарел. Используйте { $prefix }отсутствую или ответьте на последнее напоминание.
truth-change-title = обновление вашей записи
truth-change-which = Что изменилось?
truth-change-field-phone = Телефон
truth-change-field-email = Эл. почта
truth-change-field-title = Должность
truth-change-value = Новое значение ({ $field }):
truth-change-value-placeholder = новое значение
truth-change-invalid = Похоже, это не подходит для этого поля. Введите ещё раз.
truth-change-sent = Спасибо. Координатор подтвердит изменение, прежде чем оно появится в реестре; я сообщу вам.
truth-gone-title = передача ваших дел
truth-gone-successor = Кто принимает дела? Координатор подтвердит это до передачи.
truth-gone-unknown = Не знаю
truth-gone-sent = Спасибо. Координатор подтвердит; затем ваши открытые консультации и запросы будут переданы.
truth-away-title = запись об отсутствии
truth-away-until = До какого числа вы отсутствуете? (последний день)
truth-away-until-placeholder = дата, например 2026-12-24
truth-away-days-1 = Только сегодня
truth-away-days-7 = Неделю
truth-away-days-14 = Две недели
truth-away-past = Этот день уже прошёл. До какого числа вы отсутствуете?
truth-away-deputy = Кто вас замещает?
truth-away-no-deputy = Никто
truth-away-done = Записано: вы отсутствуете до { $until }. Вопросы и запросы пока идут заместителю. Напишите { $prefix }вернулся, если вернётесь раньше.
truth-imback-done = С возвращением: вопросы и запросы снова идут вам.
truth-imback-not-away = Вы не отмечены как отсутствующий.
truth-command-away = отметить отсутствие (до какого числа, кто замещает)
truth-command-imback = завершить отсутствие сейчас
truth-command-stale = записи вашей страны, требующие внимания
truth-flag-overdue = { $name } ({ $id }) не подтвердил(а) свою запись (последняя проверка { $verifiedAt }) после напоминаний. Вы можете подтвердить её сами, отправить запрос ещё раз или связаться с человеком.
truth-flag-unlinked = Запись { $name } ({ $id }) пора проверить (последняя проверка { $verifiedAt }), но мессенджер не подключён. Вы можете подтвердить её сами или пригласить человека.
truth-stale-none = Все записи вашей страны актуальны.
truth-stale-title = Требуют внимания: { $count }
truth-stale-line = • { $name } ({ $id }): { $state }, последняя проверка { $verifiedAt }
truth-state-fresh = актуальна
truth-state-prompted = запрос отправлен, ответа нет
truth-state-overdue = просрочена
truth-state-unreachable = недоступен
truth-state-proposal_pending = изменение ждёт вашего одобрения
