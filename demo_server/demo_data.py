"""Words for the demo school: names, subjects and the curriculum, topics, homework, comments,
notes, messages, announcements and events, in Russian and English.

Plain data and a few pure helpers (gendered Russian surnames, transliteration); the generator
draws from these with its own seeded random generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api_client.models import MarkKind
from api_client.passwords import transliterate as transliterate  # re-exported

# --- names ---------------------------------------------------------------------------------

RU_MALE: tuple[tuple[str, str, str], ...] = (
    # first name, patronymic of a son, patronymic of a daughter
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Антон", "Антонович", "Антоновна"),
    ("Артём", "Артёмович", "Артёмовна"),
    ("Борис", "Борисович", "Борисовна"),
    ("Вадим", "Вадимович", "Вадимовна"),
    ("Василий", "Васильевич", "Васильевна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Георгий", "Георгиевич", "Георгиевна"),
    ("Григорий", "Григорьевич", "Григорьевна"),
    ("Даниил", "Даниилович", "Данииловна"),
    ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Егор", "Егорович", "Егоровна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"),
    ("Константин", "Константинович", "Константиновна"),
    ("Лев", "Львович", "Львовна"),
    ("Максим", "Максимович", "Максимовна"),
    ("Матвей", "Матвеевич", "Матвеевна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Никита", "Никитич", "Никитична"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Степан", "Степанович", "Степановна"),
    ("Тимофей", "Тимофеевич", "Тимофеевна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
    ("Ярослав", "Ярославович", "Ярославовна"),
)

RU_FEMALE: tuple[str, ...] = (
    "Алина",
    "Алиса",
    "Алла",
    "Анастасия",
    "Анна",
    "Арина",
    "Валентина",
    "Валерия",
    "Вера",
    "Вероника",
    "Виктория",
    "Галина",
    "Дарья",
    "Диана",
    "Евгения",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Жанна",
    "Зоя",
    "Ирина",
    "Карина",
    "Кира",
    "Ксения",
    "Лариса",
    "Лидия",
    "Любовь",
    "Людмила",
    "Маргарита",
    "Марина",
    "Мария",
    "Надежда",
    "Наталья",
    "Нина",
    "Оксана",
    "Ольга",
    "Полина",
    "Светлана",
    "София",
    "Таисия",
    "Татьяна",
    "Ульяна",
    "Юлия",
)

RU_SURNAMES: tuple[str, ...] = (
    # masculine forms; the feminine form comes from ru_surname()
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Ершов",
    "Шубин",
    "Тихомиров",
    "Островский",
    "Вишневский",
    "Зелинский",
    "Покровский",
    "Рождественский",
    "Толстой",
    "Трубецкой",
    "Шевченко",
    "Ткаченко",
    "Бондаренко",
    "Кравчук",
    "Мельник",
)

EN_MALE: tuple[str, ...] = (
    "Adam",
    "Alexander",
    "Andrew",
    "Arthur",
    "Benjamin",
    "Charles",
    "Christopher",
    "Daniel",
    "David",
    "Edward",
    "Ethan",
    "George",
    "Harry",
    "Henry",
    "Isaac",
    "Jack",
    "Jacob",
    "James",
    "John",
    "Joseph",
    "Leo",
    "Lewis",
    "Liam",
    "Lucas",
    "Matthew",
    "Michael",
    "Nathan",
    "Noah",
    "Oliver",
    "Oscar",
    "Patrick",
    "Paul",
    "Peter",
    "Robert",
    "Samuel",
    "Thomas",
    "William",
)

EN_FEMALE: tuple[str, ...] = (
    "Abigail",
    "Alice",
    "Amelia",
    "Anna",
    "Charlotte",
    "Chloe",
    "Claire",
    "Daisy",
    "Eleanor",
    "Elizabeth",
    "Ella",
    "Emily",
    "Emma",
    "Evie",
    "Florence",
    "Grace",
    "Hannah",
    "Helen",
    "Isabella",
    "Isla",
    "Jessica",
    "Julia",
    "Katherine",
    "Laura",
    "Lily",
    "Lucy",
    "Maria",
    "Mia",
    "Olivia",
    "Poppy",
    "Rachel",
    "Rose",
    "Ruby",
    "Sarah",
    "Sophie",
    "Victoria",
    "Zoe",
)

EN_SURNAMES: tuple[str, ...] = (
    "Adams",
    "Allen",
    "Bailey",
    "Baker",
    "Barnes",
    "Bell",
    "Bennett",
    "Brooks",
    "Brown",
    "Butler",
    "Campbell",
    "Carter",
    "Clark",
    "Clarke",
    "Collins",
    "Cook",
    "Cooper",
    "Cox",
    "Davies",
    "Davis",
    "Edwards",
    "Ellis",
    "Evans",
    "Fisher",
    "Foster",
    "Graham",
    "Gray",
    "Green",
    "Griffiths",
    "Hall",
    "Harris",
    "Harrison",
    "Hill",
    "Holmes",
    "Hughes",
    "Hunt",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kelly",
    "Kennedy",
    "King",
    "Knight",
    "Lee",
    "Lewis",
    "Lloyd",
    "Marshall",
    "Martin",
    "Mason",
    "Matthews",
    "Miller",
    "Mills",
    "Mitchell",
    "Moore",
    "Morgan",
    "Morris",
    "Murphy",
    "Murray",
    "Owen",
    "Palmer",
    "Parker",
    "Patel",
    "Phillips",
    "Powell",
    "Price",
    "Reid",
    "Richards",
    "Roberts",
    "Robinson",
    "Rogers",
    "Russell",
    "Scott",
    "Shaw",
    "Simpson",
    "Smith",
    "Stevens",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
)

RU_MAIL_DOMAINS: tuple[str, ...] = (
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "inbox.ru",
    "list.ru",
)
"""Where the demo's Russian parents keep their e-mail, as families in Russia do."""
EN_MAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net")
"""The English demo's parents' e-mail: the reserved example domains (RFC 2606)."""


def ru_surname(masculine: str, female: bool) -> str:
    """The gendered form of a Russian surname given in its masculine form."""
    if not female:
        return masculine
    for ending, feminine in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ый", "ая")):
        if masculine.endswith(ending):
            return masculine[: -len(ending)] + feminine
    if masculine.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return masculine + "а"
    return masculine  # Шевченко, Кравчук, Мельник: the same for both


# --- subjects and the curriculum -------------------------------------------------------------


@dataclass(frozen=True)
class SubjectInfo:
    key: str
    ru: str
    en: str
    hours: tuple[int, ...]
    """Lessons a week in grades 1 to 11."""
    specialty: str
    """Which teacher teaches it: subjects sharing a specialty share the teacher in a class.
    ``primary`` means the primary class teacher."""
    control: tuple[MarkKind, ...] = (MarkKind.TEST,)
    """Kinds of the marked control work in this subject."""
    graded: bool = True
    room: str = ""
    """A special room key (``gym``) instead of the teacher's classroom."""


_T, _Q, _D, _L, _E = MarkKind.TEST, MarkKind.QUIZ, MarkKind.DICTATION, MarkKind.LAB, MarkKind.ESSAY

SUBJECTS: tuple[SubjectInfo, ...] = (
    #                                                   grade 1  2  3  4  5  6  7  8  9 10 11
    SubjectInfo(
        "russian",
        "Русский язык",
        "English",
        (4, 4, 4, 4, 5, 6, 4, 3, 3, 2, 2),
        "primary|russian",
        (_D, _T),
    ),
    SubjectInfo(
        "reading",
        "Литературное чтение",
        "Reading",
        (4, 4, 4, 3, 0, 0, 0, 0, 0, 0, 0),
        "primary",
        (_T,),
    ),
    SubjectInfo(
        "literature",
        "Литература",
        "Literature",
        (0, 0, 0, 0, 3, 3, 2, 2, 3, 3, 3),
        "russian",
        (_E, _T),
    ),
    SubjectInfo(
        "math",
        "Математика",
        "Mathematics",
        (4, 4, 4, 4, 5, 5, 0, 0, 0, 0, 0),
        "primary|math",
        (_T, _Q),
    ),
    SubjectInfo(
        "algebra", "Алгебра", "Algebra", (0, 0, 0, 0, 0, 0, 3, 3, 3, 4, 4), "math", (_T, _Q)
    ),
    SubjectInfo(
        "geometry", "Геометрия", "Geometry", (0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2), "math", (_T, _Q)
    ),
    SubjectInfo(
        "informatics",
        "Информатика",
        "Computer Science",
        (0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1),
        "informatics",
        (_T, _L),
    ),
    SubjectInfo(
        "english",
        "Английский язык",
        "French",
        (0, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3),
        "english",
        (_T, _Q, _D),
    ),
    SubjectInfo(
        "world", "Окружающий мир", "Science", (2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0), "primary", (_T,)
    ),
    SubjectInfo(
        "history", "История", "History", (0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2), "history", (_T, _E)
    ),
    SubjectInfo(
        "social",
        "Обществознание",
        "Citizenship",
        (0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2),
        "history",
        (_T, _E),
    ),
    SubjectInfo(
        "geography",
        "География",
        "Geography",
        (0, 0, 0, 0, 1, 1, 2, 2, 2, 1, 1),
        "geography",
        (_T, _Q),
    ),
    SubjectInfo(
        "biology", "Биология", "Biology", (0, 0, 0, 0, 1, 1, 1, 2, 2, 1, 1), "biology", (_T, _L)
    ),
    SubjectInfo(
        "physics", "Физика", "Physics", (0, 0, 0, 0, 0, 0, 2, 2, 3, 2, 2), "physics", (_T, _L)
    ),
    SubjectInfo(
        "chemistry", "Химия", "Chemistry", (0, 0, 0, 0, 0, 0, 0, 2, 2, 1, 1), "chemistry", (_T, _L)
    ),
    SubjectInfo("music", "Музыка", "Music", (1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), "music", (_Q,)),
    SubjectInfo(
        "art",
        "Изобразительное искусство",
        "Art",
        (1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
        "primary|art",
        (_Q,),
    ),
    SubjectInfo(
        "technology",
        "Труд (технология)",
        "Design and Technology",
        (1, 1, 1, 1, 2, 2, 2, 1, 1, 0, 0),
        "primary|technology",
        (_Q,),
    ),
    SubjectInfo(
        "pe",
        "Физическая культура",
        "Physical Education",
        (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
        "pe",
        (_T,),
        room="gym",
    ),
    SubjectInfo(
        "safety", "ОБЗР", "Health and Safety", (0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1), "safety", (_T,)
    ),
)
"""The curriculum. A specialty ``primary|russian`` is taught by the primary class teacher in
grades 1 to 4 and by a ``russian`` specialist from grade 5."""

MAX_LESSONS_A_DAY = (4, 5, 5, 5, 6, 6, 7, 7, 7, 7, 7)
"""The most lessons one day may hold, for grades 1 to 11."""

MAX_TEACHER_HOURS = 24
"""A teacher's weekly load before another teacher of the subject is hired."""


# --- everything else that depends on the language ------------------------------------------------


@dataclass(frozen=True)
class Texts:
    lang: str
    letters: tuple[str, ...]
    school_names: tuple[str, ...]
    year_name: str
    quarter: str
    main_bells: str
    """The name of the demo school's one bell schedule."""
    group_name: str
    """A group of a split class, ``{n}`` its number (as a journal names it)."""
    """``{n}`` is the quarter's number."""
    autumn_break: str
    winter_break: str
    spring_break: str
    public_holidays: tuple[tuple[int, int, str], ...]
    gym: str
    spare_rooms: tuple[str, ...]
    topics: dict[str, tuple[str, ...]]
    control_topic: dict[MarkKind, str]
    """``{topic}`` is the topic the work checks."""
    practice_suffix: str
    homework: dict[str, tuple[str, ...]]
    """Templates per subject key (``*`` for the rest); ``{p}``, ``{a}``, ``{b}`` are numbers."""
    comments: dict[int, tuple[str, ...]]
    retake_reason: tuple[str, ...]
    substitution_notes: tuple[str, ...]
    cancellation_notes: tuple[str, ...]
    """Reasons alone: the week says "cancelled: <reason>", so a note never says it again."""
    room_change_notes: tuple[str, ...]
    moved_to: str
    """Where the lesson went, ``{date}`` and ``{number}`` of the new time (the week says
    "moved: <this>"); a note never repeats the word of its status."""
    moved_from: str
    """On the lesson in its new place (a planned one, so the note is shown alone)."""
    absence_notes: dict[str, tuple[str, ...]]
    threads: tuple[tuple[str, bool, tuple[str, ...]], ...]
    """Subject, whether a parent starts it, and the messages in turn (starter first).
    ``{child}``, ``{teacher}``, ``{parent}``, ``{subject}`` and ``{date}`` are filled in."""
    school_announcements: tuple[tuple[str, str], ...]
    class_announcements: tuple[tuple[str, str], ...]
    parent_meeting: str
    """``{cls}`` is the class name."""
    meeting_place: str
    """``{room}``"""
    meeting_description: tuple[str, ...]
    meeting_agenda: tuple[tuple[str, ...], ...]
    """The agenda of each ``meeting_description``, point by point (the same order)."""
    meeting_minutes: str
    meeting_comments: tuple[str, ...]
    school_events: tuple[tuple[int, int, int, str, str, str], ...]
    """Month, day, hour, title, place, description: the school's year."""
    this_week_events: tuple[tuple[str, str, str], ...]
    """Title, place, description of events placed near "today"."""
    exam_title: str
    """``{subject}``"""
    gendered: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Words that follow a person's gender (masculine, feminine), by placeholder name:
    ``fell_ill`` and ``did_not_manage`` follow the child, ``dear`` the parent, ``pupil_word``
    the pupil."""
    titles: dict[str, str] = field(default_factory=dict)
    """For the account chooser; keys: parent, pupil, teacher, classteacher, admin, it, nurse,
    authority."""
    blog_posts: tuple[tuple[str, str], ...] = ()
    """Teacher blog posts: title, text (the first ones for a class, the last for the school)."""
    blog_comments: tuple[str, ...] = ()
    """Comments of parents and pupils on blog posts."""
    chat: tuple[tuple[str, str], ...] = ()
    """A class chat's talk, in turn: who (``pupil``, or ``teacher`` for the class teacher)
    and the text; ``{subject}`` is a subject the class has."""


RU = Texts(
    lang="ru",
    letters=("А", "Б", "В", "Г"),
    school_names=(
        "МБОУ «Средняя общеобразовательная школа № {n}»",
        "МАОУ «Гимназия № {n}»",
        "МБОУ «Лицей № {n}»",
    ),
    year_name="{a}/{b}",
    quarter="{n} четверть",
    main_bells="Основное",
    group_name="гр. {n}",
    autumn_break="Осенние каникулы",
    winter_break="Зимние каникулы",
    spring_break="Весенние каникулы",
    public_holidays=(
        (11, 4, "День народного единства"),
        (2, 23, "День защитника Отечества"),
        (3, 8, "Международный женский день"),
        (5, 1, "Праздник Весны и Труда"),
        (5, 9, "День Победы"),
    ),
    gym="Спортзал",
    spare_rooms=("Библиотека", "Актовый зал", "305", "306", "Кабинет 2-14"),
    topics={
        "russian": (
            "Звуки и буквы",
            "Слог и ударение",
            "Состав слова",
            "Корень слова",
            "Приставки и суффиксы",
            "Безударные гласные в корне",
            "Имя существительное",
            "Склонение имён существительных",
            "Имя прилагательное",
            "Глагол",
            "Спряжение глаголов",
            "Местоимение",
            "Наречие",
            "Словосочетание",
            "Простое предложение",
            "Однородные члены предложения",
            "Сложное предложение",
            "Прямая речь",
            "Причастный оборот",
            "Деепричастный оборот",
            "Обособленные члены предложения",
            "Сложноподчинённое предложение",
        ),
        "reading": (
            "Устное народное творчество",
            "Русские народные сказки",
            "Басни И. А. Крылова",
            "А. С. Пушкин. «Сказка о рыбаке и рыбке»",
            "Стихи о природе",
            "Л. Н. Толстой. Рассказы для детей",
            "Н. Н. Носов. «Живая шляпа»",
            "Произведения о животных",
            "В. Ю. Драгунский. «Денискины рассказы»",
            "Стихи С. Я. Маршака",
            "Зарубежные сказки",
            "Выразительное чтение",
        ),
        "literature": (
            "Мифы Древней Греции",
            "А. С. Пушкин. Лирика",
            "М. Ю. Лермонтов. «Бородино»",
            "Н. В. Гоголь. «Вечера на хуторе близ Диканьки»",
            "И. С. Тургенев. «Муму»",
            "Н. А. Некрасов. Стихотворения",
            "Л. Н. Толстой. «Кавказский пленник»",
            "А. П. Чехов. Рассказы",
            "А. С. Пушкин. «Капитанская дочка»",
            "Н. В. Гоголь. «Ревизор»",
            "А. С. Грибоедов. «Горе от ума»",
            "М. Ю. Лермонтов. «Герой нашего времени»",
            "Ф. М. Достоевский. «Преступление и наказание»",
            "Л. Н. Толстой. «Война и мир»",
            "Поэзия Серебряного века",
        ),
        "math": (
            "Числа от 1 до 10",
            "Сложение и вычитание",
            "Таблица умножения",
            "Деление с остатком",
            "Натуральные числа",
            "Делимость чисел",
            "Обыкновенные дроби",
            "Сравнение дробей",
            "Сложение и вычитание дробей",
            "Десятичные дроби",
            "Проценты",
            "Отношения и пропорции",
            "Положительные и отрицательные числа",
            "Координатная плоскость",
            "Решение текстовых задач",
            "Площадь и периметр",
        ),
        "algebra": (
            "Выражения и их преобразования",
            "Линейное уравнение с одной переменной",
            "Функции и их графики",
            "Степень с натуральным показателем",
            "Многочлены",
            "Формулы сокращённого умножения",
            "Системы линейных уравнений",
            "Квадратные корни",
            "Квадратные уравнения",
            "Теорема Виета",
            "Неравенства",
            "Арифметическая прогрессия",
            "Геометрическая прогрессия",
            "Тригонометрические функции",
            "Производная",
            "Логарифмы",
        ),
        "geometry": (
            "Начальные геометрические сведения",
            "Треугольники",
            "Признаки равенства треугольников",
            "Параллельные прямые",
            "Четырёхугольники",
            "Площади фигур",
            "Теорема Пифагора",
            "Подобные треугольники",
            "Окружность",
            "Векторы",
            "Метод координат",
            "Аксиомы стереометрии",
            "Многогранники",
            "Тела вращения",
        ),
        "informatics": (
            "Информация и информационные процессы",
            "Системы счисления",
            "Кодирование информации",
            "Алгоритмы и исполнители",
            "Ветвления",
            "Циклы",
            "Массивы",
            "Основы логики",
            "Электронные таблицы",
            "Компьютерные сети",
            "Базы данных",
        ),
        "english": (
            "Знакомство",
            "Моя семья",
            "Школа и школьные предметы",
            "Распорядок дня",
            "Present Simple",
            "Present Continuous",
            "Past Simple",
            "Погода и времена года",
            "Путешествия",
            "Future Simple",
            "Страны и языки",
            "Present Perfect",
            "Спорт и здоровье",
            "Условные предложения",
            "Пассивный залог",
        ),
        "world": (
            "Природа и человек",
            "Живая и неживая природа",
            "Растения",
            "Животные",
            "Времена года",
            "Наш край",
            "Вода и её свойства",
            "Воздух",
            "Строение тела человека",
            "Правила безопасности",
            "Карта и глобус",
            "Природные зоны России",
        ),
        "history": (
            "Первобытный мир",
            "Древний Египет",
            "Древняя Греция",
            "Древний Рим",
            "Средневековая Европа",
            "Древняя Русь",
            "Русь в XII–XIII веках",
            "Московское государство",
            "Эпоха Петра I",
            "Российская империя в XVIII веке",
            "Россия в XIX веке",
            "Первая мировая война",
            "Великая Отечественная война",
            "СССР во второй половине XX века",
        ),
        "social": (
            "Человек и общество",
            "Семья",
            "Права и обязанности граждан",
            "Экономика и её роль",
            "Государство",
            "Конституция Российской Федерации",
            "Право и правоотношения",
            "Социальные группы",
            "Культура и духовная жизнь",
        ),
        "geography": (
            "Земля во Вселенной",
            "План местности",
            "Географическая карта",
            "Литосфера",
            "Гидросфера",
            "Атмосфера",
            "Биосфера",
            "Материки и океаны",
            "Население Земли",
            "География России",
            "Природные ресурсы",
            "Хозяйство России",
        ),
        "biology": (
            "Биология — наука о живой природе",
            "Клетка",
            "Ткани",
            "Бактерии",
            "Грибы",
            "Растения",
            "Животные",
            "Строение тела человека",
            "Кровообращение",
            "Дыхание",
            "Пищеварение",
            "Нервная система",
            "Генетика",
            "Экосистемы",
        ),
        "physics": (
            "Физические величины и их измерение",
            "Строение вещества",
            "Механическое движение",
            "Плотность вещества",
            "Силы в природе",
            "Давление",
            "Работа и мощность",
            "Тепловые явления",
            "Электрический ток",
            "Закон Ома",
            "Магнитное поле",
            "Световые явления",
            "Законы Ньютона",
            "Колебания и волны",
        ),
        "chemistry": (
            "Предмет химии",
            "Атомы и молекулы",
            "Периодическая система",
            "Химическая связь",
            "Валентность",
            "Химические реакции",
            "Оксиды",
            "Кислоты",
            "Основания",
            "Соли",
            "Растворы",
            "Окислительно-восстановительные реакции",
            "Органические вещества",
        ),
        "music": (
            "Музыка и её жанры",
            "Народная музыка",
            "Музыкальные инструменты",
            "П. И. Чайковский",
            "Опера",
            "Балет",
            "Симфония",
            "Музыка в кино",
        ),
        "art": (
            "Цвет и настроение",
            "Рисование с натуры",
            "Пейзаж",
            "Натюрморт",
            "Портрет",
            "Народные промыслы",
            "Декоративная роспись",
            "Архитектура",
        ),
        "technology": (
            "Техника безопасности",
            "Работа с бумагой",
            "Работа с тканью",
            "Конструирование",
            "Обработка древесины",
            "Кулинария",
            "Проектная работа",
            "Моделирование",
        ),
        "pe": (
            "Лёгкая атлетика: бег",
            "Прыжки в длину",
            "Подвижные игры",
            "Волейбол",
            "Баскетбол",
            "Гимнастика",
            "Лыжная подготовка",
            "Футбол",
            "Сдача нормативов",
        ),
        "safety": (
            "Безопасность дома",
            "Пожарная безопасность",
            "Безопасность на дорогах",
            "Первая помощь",
            "Чрезвычайные ситуации",
            "Здоровый образ жизни",
            "Безопасность в интернете",
        ),
    },
    control_topic={
        MarkKind.TEST: "Контрольная работа по теме «{topic}»",
        MarkKind.QUIZ: "Самостоятельная работа: {topic}",
        MarkKind.DICTATION: "Диктант по теме «{topic}»",
        MarkKind.LAB: "Лабораторная работа: {topic}",
        MarkKind.ESSAY: "Сочинение: {topic}",
    },
    practice_suffix=" (закрепление)",
    homework={
        "russian": (
            "§ {a}, упр. {p}",
            "Упр. {p}, {b}; выучить правило",
            "Словарные слова, стр. {p}",
        ),
        "reading": (
            "Стр. {p}–{b}, читать",
            "Выучить стихотворение наизусть (стр. {p})",
            "Пересказ, стр. {p}",
        ),
        "literature": (
            "Прочитать главы {a}–{b}",
            "Ответить на вопросы на стр. {p}",
            "Выучить наизусть отрывок (стр. {p})",
        ),
        "math": ("№ {p}, {b}", "Стр. {p}, № {a}–{b}", "Выучить таблицу, № {p}"),
        "algebra": ("§ {a}, № {p}, {b}", "№ {p}–{b}", "Повторить формулы, № {p}"),
        "geometry": ("п. {a}, № {p}", "Доказать теорему п. {a}, № {b}", "№ {p}, {b}"),
        "english": ("Ex. {a}, p. {p}", "Слова Unit {a}, стр. {p}", "Текст стр. {p}, перевод"),
        "world": ("Стр. {p}–{b}, вопросы", "Рабочая тетрадь, стр. {p}"),
        "pe": ("Комплекс утренней зарядки",),
        "*": ("§ {a}, вопросы на стр. {p}", "§ {a}, конспект", "Стр. {p}–{b}, пересказ"),
    },
    comments={
        5: ("Отлично!", "Развёрнутый ответ", "Молодец, без ошибок", "Аккуратная работа"),
        4: ("Хорошо, есть недочёты", "Небольшая ошибка в решении", "Не хватило примеров"),
        3: ("Ошибки в вычислениях", "Тема усвоена не полностью", "Много исправлений"),
        2: ("Не выполнено домашнее задание", "Нужно пересдать", "Работа не закончена"),
    },
    retake_reason=("Пересдача", "Исправлена ошибка ввода", "Работа проверена повторно"),
    substitution_notes=(
        "Учитель на больничном",
        "Учитель на курсах повышения квалификации",
        "Учитель сопровождает экскурсию",
    ),
    cancellation_notes=(
        "Учитель на больничном",
        "Класс на экскурсии",
        "Технические работы в кабинете",
    ),
    room_change_notes=("Кабинет на ремонте", "Кабинет нужен для экзамена", "Урок в библиотеке"),
    moved_to="{date}, {number}-й урок",
    moved_from="Перенесён с {date}",
    absence_notes={
        "illness": ("Справка от врача", "ОРВИ", "Болеет"),
        "excused": (
            "По заявлению родителей",
            "Участие в олимпиаде",
            "Соревнования",
            "Семейные обстоятельства",
        ),
        "unexcused": ("", "Причина не сообщена"),
        "late": ("", "Опоздание"),
    },
    threads=(
        (
            "Пропуск занятий",
            True,
            (
                "Здравствуйте, {teacher}! {child} {fell_ill}, несколько дней не будет в школе. "
                "Справку принесём.",
                "Здравствуйте, {parent}! Спасибо, что предупредили. Выздоравливайте!",
            ),
        ),
        (
            "Домашнее задание по предмету «{subject}»",
            True,
            (
                "{teacher}, добрый вечер! Подскажите, пожалуйста, какое задание на завтра? "
                "{child} {did_not_manage} записать.",
                "Добрый вечер! Задание есть в дневнике: параграф и упражнения.",
                "Нашли, спасибо большое!",
            ),
        ),
        (
            "Успеваемость: {subject}",
            False,
            (
                "Здравствуйте, {parent}! Хочу обсудить успеваемость по предмету «{subject}»: "
                "в последнее время оценки снизились. Предлагаю встретиться.",
                "Здравствуйте! Спасибо, что написали. Можем подойти в четверг после уроков?",
                "Да, в четверг в 15:00 в моём кабинете.",
            ),
        ),
        (
            "Экскурсия {date}",
            False,
            (
                "{dear} {parent}! {date} класс едет на экскурсию в музей. "
                "Пожалуйста, подпишите согласие.",
                "Добрый день! Согласие подпишем, передам с ребёнком.",
            ),
        ),
        (
            "Пересдача контрольной",
            True,
            (
                "Здравствуйте! {child} хочет переписать контрольную работу. Это возможно?",
                "Да, можно: во вторник после шестого урока.",
                "Спасибо! Обязательно придёт.",
                "Пожалуйста. Пусть повторит последние две темы.",
            ),
        ),
    ),
    school_announcements=(
        (
            "Расписание на каникулы",
            "Во время каникул работают кружки и секции по обычному расписанию. Библиотека открыта "
            "с 10:00 до 15:00.",
        ),
        (
            "Профилактика гриппа и ОРВИ",
            "Просим родителей не отправлять в школу детей с признаками простуды. При пропуске "
            "занятий по болезни нужна справка.",
        ),
        (
            "Неделя математики",
            "На следующей неделе в школе пройдёт неделя математики: олимпиады, викторины и "
            "конкурс стенгазет. Приглашаем всех!",
        ),
        (
            "Горячее питание",
            "С понедельника меняется меню школьной столовой. Меню на неделю вывешено у входа в "
            "столовую и на сайте школы.",
        ),
        (
            "Сбор макулатуры",
            "Школа участвует в акции «Сдай макулатуру — спаси дерево». Сбор во дворе школы в "
            "субботу с 10:00 до 13:00.",
        ),
    ),
    class_announcements=(
        ("Фотографирование класса", "В пятницу на третьем уроке фотографирование. Форма парадная."),
        (
            "Экскурсия в музей",
            "Планируем экскурсию в краеведческий музей. Стоимость и дату обсудим на собрании.",
        ),
        ("Дежурство по классу", "График дежурства на месяц вывешен в кабинете."),
        ("Сменная обувь", "Напоминаю: сменная обувь обязательна. Без неё в класс не пускаем."),
    ),
    parent_meeting="Родительское собрание {cls}",
    meeting_place="Кабинет {room}",
    meeting_description=(
        "Итоги четверти, организационные вопросы.",
        "Успеваемость и посещаемость, подготовка к экскурсии.",
        "Знакомство с учителями-предметниками, расписание кружков.",
    ),
    meeting_agenda=(
        ("Итоги четверти", "Организационные вопросы"),
        ("Успеваемость и посещаемость", "Подготовка к экскурсии"),
        ("Знакомство с учителями-предметниками", "Расписание кружков"),
    ),
    meeting_minutes=(
        "1. Итоги четверти приняты к сведению; родителям отстающих учеников предложены "
        "консультации с учителями.\n"
        "2. Экскурсию в краеведческий музей провести в декабре; деньги сдать классному "
        "руководителю до 10 декабря.\n"
        "3. На новогоднем празднике дежурят трое родителей (список у классного руководителя)."
    ),
    meeting_comments=("Приду с опозданием на 15 минут", "В этот день на работе", "Придём вдвоём"),
    school_events=(
        (9, 1, 9, "Торжественная линейка «День знаний»", "Школьный двор", "Начало учебного года."),
        (10, 5, 12, "Концерт ко Дню учителя", "Актовый зал", ""),
        (12, 26, 16, "Новогодний концерт", "Актовый зал", "Выступают все классы."),
        (2, 20, 12, "Смотр строя и песни", "Спортзал", ""),
        (5, 8, 10, "Митинг ко Дню Победы", "Школьный двор", ""),
        (5, 23, 10, "Последний звонок", "Актовый зал", "Праздник для выпускников."),
    ),
    this_week_events=(
        ("День здоровья", "Стадион школы", "Спортивные эстафеты для всех классов."),
        ("Школьный этап олимпиады по математике", "Кабинеты 201–204", "Для 5–11 классов."),
        ("Ярмарка кружков и секций", "Рекреация 1-го этажа", ""),
    ),
    exam_title="Пробный экзамен: {subject}",
    gendered={
        "fell_ill": ("заболел", "заболела"),
        "did_not_manage": ("не успел", "не успела"),
        "dear": ("Уважаемый", "Уважаемая"),
        "pupil_word": ("Ученик", "Ученица"),
    },
    titles={
        "parent": "Родитель двоих детей: {children}",
        "pupil": "{pupil_word} {cls}: {name}",
        "teacher": "Учитель ({subjects}): {name}",
        "classteacher": "Классный руководитель {cls}: {name}",
        "admin": "Администрация (директор): {name}",
        "it": "Системный администратор: {name}",
        "nurse": "Медицинский работник: {name}",
        "authority": "Управление образования: {name}",
    },
    blog_posts=(
        (
            "Как мы готовимся к контрольной",
            "На этой неделе повторяем всё пройденное в четверти. Решайте задачи из списка в "
            "тетради, вопросы можно задать здесь в комментариях.",
        ),
        (
            "Книги на каникулы",
            "Составила список книг для чтения на каникулах. Выбирайте две любые, в январе "
            "обсудим на уроке.",
        ),
        (
            "Школьная олимпиада",
            "Приглашаю всех желающих на школьный этап олимпиады. Запись у учителя до пятницы.",
        ),
    ),
    blog_comments=(
        "Спасибо, очень понятно!",
        "А можно взять книгу не из списка?",
        "Мы запишемся, спасибо за приглашение.",
        "Во сколько начинается олимпиада?",
    ),
    chat=(
        ("pupil", "Всем привет! Кто знает, что задали по предмету «{subject}»?"),
        ("pupil", "Параграф 12 и упражнения после него, в дневнике уже есть."),
        ("pupil", "Спасибо!"),
        ("teacher", "Ребята, напоминаю: в пятницу классный час, не опаздывайте."),
        ("pupil", "А можно на классном часе обсудить поездку в музей?"),
        ("teacher", "Можно. Подумайте, в какой день вам удобнее."),
    ),
)

EN = Texts(
    lang="en",
    letters=("A", "B", "C", "D"),
    school_names=(
        "Riverside School No. {n}",
        "Hillcrest Academy No. {n}",
        "St Mary's School No. {n}",
    ),
    year_name="{a}/{b}",
    quarter="Quarter {n}",
    main_bells="Main",
    group_name="Group {n}",
    autumn_break="Autumn break",
    winter_break="Winter break",
    spring_break="Spring break",
    public_holidays=(
        (11, 4, "Unity Day"),
        (2, 23, "Defender of the Fatherland Day"),
        (3, 8, "International Women's Day"),
        (5, 1, "Labour Day"),
        (5, 9, "Victory Day"),
    ),
    gym="Gym",
    spare_rooms=("Library", "Assembly hall", "305", "306", "Room 2-14"),
    topics={
        "russian": (
            "Sounds and letters",
            "Syllables and stress",
            "Word roots",
            "Prefixes and suffixes",
            "Nouns",
            "Noun cases",
            "Adjectives",
            "Verbs",
            "Verb conjugation",
            "Pronouns",
            "Adverbs",
            "Simple sentences",
            "Compound sentences",
            "Direct speech",
            "Participles",
            "Complex sentences",
        ),
        "reading": (
            "Folk tales",
            "Fables",
            "Poems about nature",
            "Stories about animals",
            "Fairy tales of the world",
            "Reading aloud",
            "Poems by heart",
            "Short stories",
        ),
        "literature": (
            "Greek myths",
            "Pushkin's poems",
            "Gogol's tales",
            "Turgenev's Mumu",
            "Chekhov's short stories",
            "The Captain's Daughter",
            "Woe from Wit",
            "A Hero of Our Time",
            "Crime and Punishment",
            "War and Peace",
            "Poetry of the Silver Age",
            "Shakespeare's sonnets",
        ),
        "math": (
            "Numbers up to 10",
            "Addition and subtraction",
            "Multiplication tables",
            "Division with remainder",
            "Natural numbers",
            "Divisibility",
            "Fractions",
            "Comparing fractions",
            "Adding fractions",
            "Decimals",
            "Percentages",
            "Ratio and proportion",
            "Negative numbers",
            "The coordinate plane",
            "Word problems",
            "Area and perimeter",
        ),
        "algebra": (
            "Expressions",
            "Linear equations",
            "Functions and graphs",
            "Powers",
            "Polynomials",
            "Special products",
            "Systems of linear equations",
            "Square roots",
            "Quadratic equations",
            "Vieta's formulas",
            "Inequalities",
            "Arithmetic progressions",
            "Geometric progressions",
            "Trigonometric functions",
            "Derivatives",
            "Logarithms",
        ),
        "geometry": (
            "Points, lines and angles",
            "Triangles",
            "Congruent triangles",
            "Parallel lines",
            "Quadrilaterals",
            "Area",
            "Pythagoras' theorem",
            "Similar triangles",
            "Circles",
            "Vectors",
            "Coordinates",
            "Solid geometry",
            "Polyhedra",
            "Solids of revolution",
        ),
        "informatics": (
            "Information and data",
            "Number systems",
            "Encoding",
            "Algorithms",
            "Branching",
            "Loops",
            "Arrays",
            "Logic",
            "Spreadsheets",
            "Networks",
            "Databases",
        ),
        "english": (
            "Greetings",
            "My family",
            "At school",
            "Daily routine",
            "The present tense",
            "Articles",
            "The passé composé",
            "Weather and seasons",
            "Travelling",
            "The future tense",
            "Countries and languages",
            "The imperfect",
            "Sport and health",
            "Food and shopping",
        ),
        "world": (
            "Nature and people",
            "Living and non-living things",
            "Plants",
            "Animals",
            "The seasons",
            "Our region",
            "Water",
            "Air",
            "The human body",
            "Staying safe",
            "Maps and globes",
            "Climate zones",
        ),
        "history": (
            "Prehistory",
            "Ancient Egypt",
            "Ancient Greece",
            "Ancient Rome",
            "Medieval Europe",
            "The Vikings",
            "The Normans",
            "The Tudors",
            "The Industrial Revolution",
            "The British Empire",
            "The First World War",
            "The Second World War",
            "The Cold War",
        ),
        "social": (
            "People and society",
            "Families",
            "Rights and duties",
            "The economy",
            "The state",
            "The constitution",
            "Law",
            "Social groups",
            "Culture",
        ),
        "geography": (
            "The Earth in space",
            "Maps and scale",
            "Rocks and landforms",
            "Rivers",
            "Weather and climate",
            "Ecosystems",
            "Continents and oceans",
            "Population",
            "Resources",
            "Cities",
            "Trade",
        ),
        "biology": (
            "What is biology",
            "Cells",
            "Tissues",
            "Bacteria",
            "Fungi",
            "Plants",
            "Animals",
            "The human body",
            "Circulation",
            "Breathing",
            "Digestion",
            "The nervous system",
            "Genetics",
            "Ecosystems",
        ),
        "physics": (
            "Measurement",
            "Particles",
            "Motion",
            "Density",
            "Forces",
            "Pressure",
            "Work and power",
            "Heat",
            "Electric current",
            "Ohm's law",
            "Magnetism",
            "Light",
            "Newton's laws",
            "Waves",
        ),
        "chemistry": (
            "What is chemistry",
            "Atoms and molecules",
            "The periodic table",
            "Chemical bonds",
            "Valency",
            "Chemical reactions",
            "Oxides",
            "Acids",
            "Bases",
            "Salts",
            "Solutions",
            "Redox reactions",
            "Organic compounds",
        ),
        "music": (
            "Musical genres",
            "Folk music",
            "Instruments",
            "Tchaikovsky",
            "Opera",
            "Ballet",
            "The symphony",
            "Film music",
        ),
        "art": (
            "Colour and mood",
            "Drawing from life",
            "Landscape",
            "Still life",
            "Portrait",
            "Folk crafts",
            "Pattern",
            "Architecture",
        ),
        "technology": (
            "Workshop safety",
            "Paper craft",
            "Textiles",
            "Construction kits",
            "Woodwork",
            "Cooking",
            "Project work",
            "Modelling",
        ),
        "pe": (
            "Athletics: running",
            "Long jump",
            "Team games",
            "Volleyball",
            "Basketball",
            "Gymnastics",
            "Cross-country skiing",
            "Football",
            "Fitness tests",
        ),
        "safety": (
            "Safety at home",
            "Fire safety",
            "Road safety",
            "First aid",
            "Emergencies",
            "Healthy lifestyle",
            "Online safety",
        ),
    },
    control_topic={
        MarkKind.TEST: "Test: {topic}",
        MarkKind.QUIZ: "Quiz: {topic}",
        MarkKind.DICTATION: "Dictation: {topic}",
        MarkKind.LAB: "Lab work: {topic}",
        MarkKind.ESSAY: "Essay: {topic}",
    },
    practice_suffix=" (practice)",
    homework={
        "math": (
            "Page {p}, exercises {a}-{b}",
            "Exercises {p} and {b}",
            "Learn the tables, exercise {p}",
        ),
        "algebra": ("Section {a}, exercises {p}, {b}", "Exercises {p}-{b}"),
        "geometry": ("Section {a}, problem {p}", "Prove the theorem in section {a}"),
        "literature": (
            "Read chapters {a}-{b}",
            "Answer the questions on page {p}",
            "Learn the passage on page {p} by heart",
        ),
        "reading": ("Read pages {p}-{b}", "Learn the poem on page {p} by heart"),
        "pe": ("Morning exercises",),
        "*": (
            "Page {p}, exercises {a}-{b}",
            "Section {a}, questions on page {p}",
            "Section {a}, notes",
            "Workbook page {p}",
        ),
    },
    comments={
        5: ("Excellent!", "A thorough answer", "Well done, no mistakes", "Neat work"),
        4: ("Good, a few slips", "A small error in the solution", "Needed more examples"),
        3: ("Calculation errors", "The topic is not fully learnt", "Many corrections"),
        2: ("Homework not done", "Please redo", "Work unfinished"),
    },
    retake_reason=("Retake", "Typing error corrected", "Work re-marked"),
    substitution_notes=(
        "Teacher on sick leave",
        "Teacher on a training course",
        "Teacher on a school trip",
    ),
    cancellation_notes=(
        "Teacher on sick leave",
        "Class on a trip",
        "Maintenance in the room",
    ),
    room_change_notes=("Room under repair", "Room needed for an exam", "Lesson in the library"),
    moved_to="{date}, lesson {number}",
    moved_from="Moved from {date}",
    absence_notes={
        "illness": ("Doctor's note", "Flu", "Ill"),
        "excused": ("Parent's request", "Olympiad", "Sports competition", "Family reasons"),
        "unexcused": ("", "No reason given"),
        "late": ("", "Late"),
    },
    threads=(
        (
            "Absence",
            True,
            (
                "Dear {teacher}, {child} is ill and will miss a few days of school. "
                "We will bring a doctor's note.",
                "Dear {parent}, thank you for letting me know. Get well soon!",
            ),
        ),
        (
            "{subject} homework",
            True,
            (
                "Good evening {teacher}, could you tell me what tomorrow's homework is? "
                "{child} did not write it down.",
                "Good evening! It is in the diary: a section and some exercises.",
                "Found it, thank you!",
            ),
        ),
        (
            "Progress in {subject}",
            False,
            (
                "Dear {parent}, {child}'s marks in {subject} have dropped lately. "
                "Could we meet to talk about it?",
                "Hello, thank you for writing. Would Thursday after lessons suit you?",
                "Yes, Thursday at 3 pm in my classroom.",
            ),
        ),
        (
            "Trip on {date}",
            False,
            (
                "Dear {parent}, on {date} the class goes to the museum. "
                "Please sign the consent form.",
                "Hello! We will sign it and send it with {child}.",
            ),
        ),
        (
            "Retaking the test",
            True,
            (
                "Hello! May {child} retake the test?",
                "Yes, on Tuesday after the sixth lesson.",
                "Thank you! {child} will be there.",
                "You are welcome. The last two topics are worth revising.",
            ),
        ),
    ),
    school_announcements=(
        (
            "Holiday timetable",
            "Clubs meet as usual during the break. The library is open from 10:00 to 15:00.",
        ),
        (
            "Flu season",
            "Please keep children with cold symptoms at home. A doctor's note is "
            "needed after an absence through illness.",
        ),
        (
            "Maths week",
            "Next week is maths week: olympiads, quizzes and a poster competition. "
            "Everyone is welcome!",
        ),
        (
            "School meals",
            "The canteen menu changes on Monday. The week's menu is posted at the "
            "canteen and on the school website.",
        ),
        (
            "Paper recycling",
            "The school collects waste paper on Saturday from 10:00 to 13:00 in the school yard.",
        ),
    ),
    class_announcements=(
        ("Class photo", "The class photo is on Friday during the third lesson. Formal uniform."),
        (
            "Museum trip",
            "We are planning a trip to the local museum. We will discuss the date "
            "at the parents' meeting.",
        ),
        ("Classroom duty", "The duty rota for the month is on the classroom wall."),
        ("Indoor shoes", "A reminder: indoor shoes are required."),
    ),
    parent_meeting="Parents' meeting {cls}",
    meeting_place="Room {room}",
    meeting_description=(
        "Results of the quarter and practical matters.",
        "Progress and attendance, planning the class trip.",
        "Meet the subject teachers, club timetable.",
    ),
    meeting_agenda=(
        ("Results of the quarter", "Practical matters"),
        ("Progress and attendance", "Planning the class trip"),
        ("Meet the subject teachers", "Club timetable"),
    ),
    meeting_minutes=(
        "1. The results of the quarter were noted; parents of pupils who are behind are "
        "offered meetings with the teachers.\n"
        "2. The museum trip is in December; the money goes to the class teacher by "
        "10 December.\n"
        "3. Three parents help at the New Year party (the class teacher has the list)."
    ),
    meeting_comments=("I will be 15 minutes late", "I am at work that day", "We both come"),
    school_events=(
        (9, 1, 9, "First day of school assembly", "School yard", "The start of the year."),
        (10, 5, 12, "Teachers' Day concert", "Assembly hall", ""),
        (12, 26, 16, "New Year concert", "Assembly hall", "Every class performs."),
        (2, 20, 12, "Drill and song contest", "Gym", ""),
        (5, 8, 10, "Victory Day remembrance", "School yard", ""),
        (5, 23, 10, "Last bell", "Assembly hall", "A celebration for the leavers."),
    ),
    this_week_events=(
        ("Sports day", "School stadium", "Relay races for all classes."),
        ("School maths olympiad", "Rooms 201-204", "For grades 5 to 11."),
        ("Clubs fair", "Ground floor hall", ""),
    ),
    exam_title="Mock exam: {subject}",
    gendered={
        "fell_ill": ("is ill", "is ill"),
        "did_not_manage": ("did not", "did not"),
        "dear": ("Dear", "Dear"),
        "pupil_word": ("Pupil", "Pupil"),
    },
    titles={
        "parent": "Parent of two: {children}",
        "pupil": "{pupil_word}, {cls}: {name}",
        "teacher": "Teacher ({subjects}): {name}",
        "classteacher": "Class teacher of {cls}: {name}",
        "admin": "Administration (head teacher): {name}",
        "it": "IT staff: {name}",
        "nurse": "Health worker: {name}",
        "authority": "Education authority: {name}",
    },
    blog_posts=(
        (
            "How we prepare for the test",
            "This week we revise everything of the term. Solve the problems from the list in "
            "your exercise book; ask questions here in the comments.",
        ),
        (
            "Books for the holidays",
            "Here is a list of books for the holidays. Choose any two; we talk about them in "
            "January.",
        ),
        (
            "The school olympiad",
            "Everyone is welcome to the school round of the olympiad. Sign up with your "
            "teacher by Friday.",
        ),
    ),
    blog_comments=(
        "Thank you, very clear!",
        "May we choose a book that is not on the list?",
        "We will sign up, thank you for the invitation.",
        "What time does the olympiad start?",
    ),
    chat=(
        ("pupil", "Hi all! Does anyone know the {subject} homework?"),
        ("pupil", "Section 12 and the exercises after it; it is in the diary already."),
        ("pupil", "Thanks!"),
        ("teacher", "A reminder: form time on Friday, please be on time."),
        ("pupil", "Could we talk about the museum trip at form time?"),
        ("teacher", "Yes. Think about which day suits you best."),
    ),
)

TEXTS: dict[str, Texts] = {"ru": RU, "en": EN}
