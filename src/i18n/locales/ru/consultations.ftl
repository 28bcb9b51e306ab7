# Неформальные консультации (src/consultations). $ref — короткий номер, например C-12.
# $prefix — знак команды мессенджера, например "/" или "!".
# Тексты о чувствительном содержании называют мессенджеры, чьи адаптеры объявляют сквозное шифрование
# (а не одно заданное имя): $messenger — их названия через «или», $command — команда консультации в
# них, $encryptedMessengers — сколько их (0 — ни одного).

consult-command = начать неформальную консультацию с коллегой из другой страны
consult-command-close = закрыть консультацию
consult-argument-country-competence = СТРАНА ТЕМА

# Начало в чате
consult-ask-country = По какой стране ваша консультация? Отправьте название или код страны, например: KG или Узбекистан.
consult-unknown-country = Страны «{ $input }» нет в реестре. Отправьте название или двухбуквенный код, например: KG.
consult-ask-competence = О чём консультация по стране { $country }?
consult-ask-sensitivity =
    Это чувствительная консультация?
    { $encryptedMessengers ->
        [0] Чувствительные консультации передаются только между сквозь-шифрованными чатами, а ни один из подключённых здесь мессенджеров не шифрует сквозным образом: каждая сторона вместо содержания получит уведомление.
       *[other] Чувствительные консультации передаются только между сквозь-шифрованными чатами { $messenger }; участник в другом мессенджере вместо содержания получит просьбу перейти в { $messenger }.
    }
consult-sensitive-yes = { $encryptedMessengers ->
    [0] Чувствительная (только сквозь-шифрованные чаты)
   *[other] Чувствительная (только { $messenger })
}
consult-sensitive-no = Обычная
consult-sensitive-needs-encrypted = { $encryptedMessengers ->
    [0] Чувствительные консультации ведутся только в сквозь-шифрованных чатах, а ни один из подключённых здесь мессенджеров не шифрует сквозным образом. Ничего не отправлено.
   *[other] Чувствительные консультации ведутся только в сквозь-шифрованных чатах { $messenger }. Откройте чат со мной в { $messenger } и отправьте там { $command }. Ничего не отправлено.
}
consult-ask-description = Опишите вопрос в нескольких предложениях ({ $country }, { $competence }). Текст уйдёт коллеге как есть.
consult-description-too-long = Это { $length } символов; пожалуйста, уложитесь в { $max }.
consult-flow-title = запрос консультации
consult-country-placeholder = название или код страны, например KG
consult-description-placeholder = ваш вопрос в нескольких предложениях
consult-use-as-description = Сделать описанием
consult-decline-flow-title = причина отказа
consult-decline-placeholder = коротко: причина для автора
consult-use-as-reason = Сделать причиной отказа
consult-decline-cancelled = Отказ не отправлен: консультация по-прежнему ждёт вашего ответа.
consult-decline-gone = Этот шаг устарел. Нажмите «Отклонить» под консультацией ещё раз.
consult-choose-flow-title = выбор консультации
consult-draft-cancelled = Консультация не начата. Ничего не отправлено.
consult-draft-expired = Этот шаг устарел. Отправьте { $prefix }consult, чтобы начать заново.

# Маршрутизация: что видит автор
consult-started = Консультация { $ref } направлена: { $name } ({ $authority }). Я сообщу, когда её примут.
consult-started-deputy = Консультация { $ref } направлена: { $name } ({ $authority }) — замещает { $absent } на время отсутствия. Я сообщу, когда её примут.
consult-started-coordinator = С { $name } нельзя связаться через мессенджер, поэтому консультация { $ref } направлена национальному координатору страны «{ $country }». Я сообщу, когда её примут.
consult-rerouted-timeout = Консультацию { $ref } вовремя не приняли, теперь она направлена: { $name } ({ $authority }).
consult-handover-asker = { $from } больше этим не занимается, поэтому консультация { $ref } передана: { $name } ({ $authority }).
consult-handover-asker-coordinators = { $from } больше этим не занимается, поэтому консультация { $ref } передана координаторам страны: { $country }.
consult-rerouted-timeout-coordinator = Консультацию { $ref } вовремя не приняли, теперь она направлена национальному координатору страны «{ $country }».
consult-rerouted-no-messenger = С { $name } нельзя связаться через мессенджер, поэтому консультация { $ref } направлена национальному координатору страны «{ $country }».
consult-forwarded-asker = { $from } переадресовал(а) консультацию { $ref }: { $name } ({ $authority }).
consult-accepted-asker =
    { $name } ({ $authority }) принял(а) консультацию { $ref }.
    Пишите сюда: сообщения будут переданы. { $prefix }close завершает консультацию.
consult-declined-asker =
    { $name } ({ $authority }) отклонил(а) консультацию { $ref }.
    Причина: { $reason }
consult-expired-asker = Консультацию { $ref } никто не принял, даже национальный координатор страны «{ $country }». Можно начать новую позже или связаться по каналам из реестра.
consult-unreachable-asker = По теме «{ $competence }» в стране «{ $country }» пока ни с кем нельзя связаться через мессенджер, и у страны нет доступного координатора. Консультацию { $ref } доставить не удалось.
consult-fallback-heading = Можно написать или позвонить напрямую:
consult-fallback-contact = { $name }, { $authority }: { $channels }
consult-fallback-email = эл. почта { $address }
consult-fallback-phone = телефон { $address }

# «Сообщить, когда кто-то подключится» (кнопка недоставленной консультации)
consult-button-watch = Сообщить мне и координатору, когда кто-то подключится
consult-button-consult-contact = Консультация: { $name }
consult-watch-set = Готово. Когда кто-то по теме «{ $competence }» в стране «{ $country }» подключит мессенджер, вам сообщат здесь (консультация { $ref }), а национальному координатору страны «{ $country }» — как только с ним можно будет связаться.
consult-watch-set-told = Готово. Национальному координатору страны «{ $country }» сообщили, что вы ждёте; когда кто-то по теме «{ $competence }» в стране «{ $country }» подключит мессенджер, вам сообщат здесь (консультация { $ref }).
consult-watch-already = Вы уже ждёте, когда кто-то по теме «{ $competence }» в стране «{ $country }» подключится (консультация { $ref }); вам сообщат один раз.
consult-watch-delivered = Консультация { $ref } доставлена, ждать некого.
consult-watch-reachable-now = { $name } ({ $authority }) уже на связи через мессенджер: обратитесь за консультацией по теме «{ $competence }» в стране «{ $country }» (вместо { $ref }).
consult-watch-coordinator =
    { $asker } ({ $askerAuthority }) хотел(а) получить консультацию по теме «{ $competence }» в стране «{ $country }» (консультация { $ref }), но ни с кем нельзя связаться через мессенджер. Пригласите их подключиться к Counterpart; вам сообщат, когда кто-то подключится:
consult-watch-linked-asker = { $name } ({ $authority }) подключил(а) мессенджер: теперь можно обратиться за консультацией по теме «{ $competence }» в стране «{ $country }» (консультацию { $ref } доставить не удалось).
consult-watch-linked-coordinator = { $name } ({ $authority }) подключил(а) мессенджер. { $asker } ({ $askerAuthority }) ждал(а) кого-нибудь по теме «{ $competence }» в стране «{ $country }» (консультация { $ref }); ему (ей) сообщили.

# Маршрутизация: что видит получатель
consult-request =
    Запрос консультации { $ref } от { $asker } ({ $askerAuthority }): { $competence }, { $country }.

    { $description }

    Пожалуйста, примите, отклоните или переадресуйте запрос до { $deadline }.
consult-request-sensitive =
    Запрос чувствительной консультации { $ref } от { $asker } ({ $askerAuthority }): { $competence }, { $country }.
    { $encryptedMessengers ->
        [0] Описание показывается только в сквозь-шифрованных чатах, а ни один из подключённых здесь мессенджеров не шифрует сквозным образом.
       *[other] Описание показывается только в сквозь-шифрованных чатах { $messenger }: подключите учётную запись { $messenger }, чтобы прочитать его и общаться.
    }
    Пожалуйста, примите, отклоните или переадресуйте запрос до { $deadline }.
consult-request-deputy = Вы получили его как заместитель { $absent } на время отсутствия.
consult-request-coordinator-no-messenger = Вы получили его как национальный координатор: с { $name } нельзя связаться через мессенджер. Переадресуйте запрос нужному человеку или ответьте сами.
consult-request-coordinator-timeout = Вы получили его как национальный координатор: запрос вовремя никто не принял. Переадресуйте его нужному человеку или ответьте сами.
consult-request-forwarded = Переадресовал(а): { $from }.
consult-request-handover = { $from } больше этим не занимается; консультация передана вам как преемнику.
consult-button-accept = Принять
consult-button-decline = Отклонить
consult-button-forward = Переадресовать коллеге
consult-button-close = Закрыть
consult-button-choose = { $ref }: { $name }
consult-forward-choose = Кому переадресовать консультацию { $ref }?
consult-forward-nobody = Здесь больше никто не ведёт тему «{ $competence }». Можно отклонить запрос с указанием причины.
consult-forwarded-you = Консультация { $ref } переадресована: { $name }. Спасибо.
consult-decline-ask-reason = Почему вы отклоняете консультацию { $ref }? Напишите коротко; автор увидит ответ.
consult-declined-you = Вы отклонили консультацию { $ref }. Автору сообщено.
consult-accepted-you =
    Вы приняли консультацию { $ref } от { $asker } ({ $askerAuthority }).
    Пишите сюда: сообщения будут переданы. { $prefix }close завершает консультацию.
consult-accepted-you-sensitive =
    Вы приняли чувствительную консультацию { $ref } от { $asker } ({ $askerAuthority }).
    { $encryptedMessengers ->
        [0] Её содержание передаётся только между сквозь-шифрованными чатами, а ни один из подключённых здесь мессенджеров не шифрует сквозным образом.
       *[other] Её содержание передаётся только в { $messenger }: продолжите в чате со мной в { $messenger }.
    }
consult-no-longer-yours = Консультация { $ref } больше не ждёт вашего ответа (её приняли, отозвали или передали дальше).
consult-moved-on = Консультация { $ref } передана другому получателю, потому что её не приняли вовремя.

# Переписка
# "[" opens a variant at the start of a Fluent line, hence the quoted bracket.
consult-relay =
    { "[" }{ $ref }] { $name } ({ $authority }):
    { $text }
consult-relay-withheld = { "[" }{ $ref }] { $name } отправил(а) сообщение в чувствительной консультации. { $encryptedMessengers ->
    [0] Такое содержание показывается только в сквозь-шифрованных чатах, а ни один из подключённых здесь мессенджеров не шифрует сквозным образом.
   *[other] Такое содержание показывается только в сквозь-шифрованных чатах { $messenger }: подключите { $messenger } и продолжите там.
}
consult-sensitive-send-from-encrypted = Консультация { $ref } чувствительная: { $encryptedMessengers ->
    [0] её сообщения передаются только между сквозь-шифрованными чатами, а ни один из подключённых здесь мессенджеров не шифрует сквозным образом.
   *[other] отправляйте сообщения из { $messenger }.
} Это сообщение не передано.
consult-relay-recipient-not-encrypted = { $encryptedMessengers ->
    [0] У { $name } нет сквозь-шифрованного чата со мной, поэтому ваше сообщение в чувствительной консультации { $ref } не передано.
   *[other] У { $name } нет подключённой учётной записи { $messenger }, поэтому ваше сообщение в чувствительной консультации { $ref } не передано; получателя попросили перейти в { $messenger }.
}
consult-choose = У вас несколько открытых консультаций. К какой относится это сообщение?
consult-choose-expired = Это сообщение больше не хранится. Пожалуйста, отправьте его ещё раз.
consult-close-choose = Какую консультацию закрыть?
consult-close-none = У вас нет открытых консультаций.
consult-closed-you = Консультация { $ref } закрыта. Спасибо.
consult-closed-other = { $name } закрыл(а) консультацию { $ref }.
consult-withdrawn = Автор отозвал консультацию { $ref }.
consult-not-yours = Это не ваша консультация.
consult-not-open = Консультация { $ref } уже не открыта.
consult-invalid = Не получилось: { $reason }
consult-reason-withheld = { $encryptedMessengers ->
    [0] (показывается только в сквозь-шифрованных чатах)
   *[other] (показывается только в сквозь-шифрованных чатах { $messenger })
}
