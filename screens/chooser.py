"""The chooser of ``diary demo``: log in as one of the demo school's accounts with one key."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client.i18n import N_, _
from diary_tui.data import DemoAccount, DiaryData, describe_error
from diary_tui.widgets import KeyFooter, StatusLine
from screens.base import DiaryScreen, LoggedIn, ShowLogin


def account_prompt(account: DemoAccount) -> Content:
    return Content.assemble(
        (account.title, "bold"),
        "\n",
        (
            "  "
            + _("login: {login}   password: {password}").format(
                login=account.login, password=account.password
            ),
            "dim",
        ),
    )


class ChooserScreen(DiaryScreen):
    TITLE = N_("Demo accounts")
    HELP = N_("""
This is a demo school made up for trying the diary. Pick an account and press Enter
to log in as that person. The same logins work from a second terminal with
"diary --server ADDRESS --login LOGIN" (the address and password were printed when
the demo started).
""")

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="chooser.help"),
        Binding("l", "login_form", N_("Login form"), id="chooser.login_form"),
        Binding("q", "app.quit", N_("Quit"), id="chooser.quit"),
    ]

    def __init__(self, data: DiaryData, server: str, accounts: list[DemoAccount]) -> None:
        super().__init__(data)
        self.server = server
        self.accounts = accounts

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(
                (_("Demo school"), "bold"),
                " · ",
                self.server,
                "\n",
                _("Choose who to be and press Enter."),
            ),
            id="chooser-title",
        )
        yield OptionList(
            *(
                Option(account_prompt(account), id=f"account-{index}")
                for index, account in enumerate(self.accounts)
            ),
            id="accounts",
        )
        yield Static(Content(""), id="chooser-error")
        yield StatusLine()
        yield KeyFooter()

    def rebuilt(self) -> ChooserScreen:
        return ChooserScreen(self.data, self.server, self.accounts)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(OptionList).focus()

    def action_login_form(self) -> None:
        self.post_message(ShowLogin())

    @on(OptionList.OptionSelected, "#accounts")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        account = self.accounts[event.option_index]
        self.query_one("#chooser-error", Static).update(
            Content.styled(_("Logging in as {login}…").format(login=account.login), "dim")
        )
        self.log_in(account)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def log_in(self, account: DemoAccount) -> None:
        me = await self.data.login(self.server, account.login, account.password, remember=False)
        self.query_one("#chooser-error", Static).update(Content(""))
        self.post_message(LoggedIn(me))

    def worker_failed(self, error: BaseException) -> bool:
        self.query_one("#chooser-error", Static).update(
            Content.styled(describe_error(error), "bold $text-error")
        )
        return True
