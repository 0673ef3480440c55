"""Accounts pages: register, confirm, sign in and out, password reset, profile, tokens, deletion."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from asar import demo
from asar.accounts import service
from asar.accounts.sessions import COOKIE
from asar.errors import Conflict, Invalid, RateLimited
from asar.i18n import LANGUAGES, current_language, use_language
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user
from asar.settings import Settings
from asar.web.compression import skip_compression
from asar.web.context import LANG_COOKIE
from asar.web.templating import page, redirect

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


# ---------------------------------------------------------------- helpers
def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state.settings


def _client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def safe_next(value: object) -> str | None:
    """A local path to go to after signing in, or None (never another site)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value) or len(value) > 2000:
        return None
    return value


def _session_cookie(settings: Settings, token: str) -> Cookie:
    return Cookie(key=COOKIE, value=token, max_age=settings.session_days * 86400, path="/", httponly=True,
                  samesite="lax", secure=settings.base_url.startswith("https://"))


def _clear_session_cookie(settings: Settings) -> Cookie:
    return Cookie(key=COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax",
                  secure=settings.base_url.startswith("https://"))


def _htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(getattr(request, "htmx", False))


def _home(request: Request[Any, Any, Any]) -> str:
    return request.app.route_reverse("home")


def _url(request: Request[Any, Any, Any], name: str, **params: Any) -> str:
    return request.app.route_reverse(name, **params)


def _typed(data: dict[str, Any], *fields: str) -> dict[str, str]:
    """What the person typed, to show again (never the password)."""
    return {f: data.get(f) if isinstance(data.get(f), str) else "" for f in fields}


def _message_page(request: Request[Any, Any, Any], heading: str, message: str, status: int = 400,
                  link_url: str | None = None, link_text: str | None = None) -> Template:
    return page(request, "accounts/message.html", status_code=status, heading=heading, message=message,
                link_url=link_url or _home(request), link_text=link_text or _("Go to the home page"))


# ---------------------------------------------------------------- register and confirm
def _register_page(request: Request[Any, Any, Any], status: int = 200, values: dict[str, str] | None = None,
                   exc: Invalid | None = None) -> Template:
    return page(request, "accounts/register.html", status_code=status,
                values=values or {"name": "", "email": "", "language": current_language()},
                errors=exc.errors if exc else {}, error_message=exc.message if exc else None)


@get("/register", name="accounts:register", include_in_schema=False)
async def register_form(request: Request[Any, Any, Any]) -> Response[Any]:
    if request.state.actor.user is not None:
        return redirect(request, _home(request))
    return _register_page(request)


@post("/register", name="accounts:create_account", include_in_schema=False)
async def register(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    """The same answer whether the address is new or already registered (the service mails the
    owner in that case); the person signs in after confirming the address."""
    try:
        registration = await service.register(request.state.db, request.state.actor, data,
                                              base_url=_settings(request).base_url)
    except Invalid as exc:
        return _register_page(request, 400, _typed(data, "name", "email", "language"), exc)
    with use_language(registration.language):
        message = _("We have sent a message to %(email)s. Open the link in it to confirm your address, "
                    "then sign in. If nothing arrives within a few minutes, look in the spam folder.",
                    email=registration.email)
        if not _settings(request).smtp_host:
            message += " " + _("This installation has no mail server: the message is printed in the log of "
                               "the terminal that runs ASAR.")
    response = redirect(request, _url(request, "accounts:sign_in"), message, kind="info")
    response.cookies.append(Cookie(key=LANG_COOKIE, value=registration.language, max_age=365 * 86400, path="/",
                                   samesite="lax", httponly=True))
    return response


@get(service.CONFIRM_PATH + "{token:str}", name="accounts:confirm", include_in_schema=False)
async def confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    try:
        await service.confirm_email(request.state.db, token)
    except Invalid as exc:
        link = _url(request, "accounts:profile") if request.state.actor.user else None
        return _message_page(request, _("The e-mail address was not confirmed"), exc.message,
                             link_url=link, link_text=_("Go to my profile") if link else None)
    if request.state.actor.user is not None:
        return redirect(request, _url(request, "accounts:profile"), _("Your e-mail address is confirmed. Thank you!"))
    return redirect(request, _url(request, "accounts:sign_in"),
                    _("Your e-mail address is confirmed. You can sign in now."))


@post("/profile/confirmation", name="accounts:resend_confirmation", include_in_schema=False)
async def resend_confirmation(request: Request[Any, Any, Any]) -> Response[Any]:
    actor: Actor = request.state.actor
    try:
        await service.resend_confirmation(request.state.db, actor, base_url=_settings(request).base_url)
    except (RateLimited, Conflict) as exc:
        return redirect(request, _url(request, "accounts:profile"), exc.message, kind="error")
    return redirect(request, _url(request, "accounts:profile"),
                    _("We have sent a new confirmation link to %(email)s.", email=require_user(actor).email))


# ---------------------------------------------------------------- sign in and out
def _sign_in_page(request: Request[Any, Any, Any], status: int = 200, email: str = "",
                  next_path: str | None = None, exc: Invalid | RateLimited | None = None) -> Template:
    settings = _settings(request)
    response = page(
        request, "accounts/sign_in.html", status_code=status, email=email, next_path=next_path or "",
        errors=exc.errors if exc else {}, error_message=exc.message if exc else None,
        demo_people=demo.DEMO_PEOPLE if settings.show_demo_credentials else [],
        demo_password=demo.DEMO_PASSWORD if settings.show_demo_credentials else None,
    )
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@get("/sign-in", name="accounts:sign_in", include_in_schema=False)
async def sign_in_form(request: Request[Any, Any, Any]) -> Response[Any]:
    if request.state.actor.user is not None:
        return redirect(request, _home(request))
    return _sign_in_page(request, next_path=safe_next(request.query_params.get("next")))


@post("/sign-in", name="accounts:authenticate", include_in_schema=False)
async def sign_in(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    settings = _settings(request)
    next_path = safe_next(data.get("next"))
    try:
        signed_in = await service.sign_in(
            request.state.db, request.state.actor, data, client_ip=_client_ip(request),
            session_days=settings.session_days, old_session=request.cookies.get(COOKIE),
            language=request.cookies.get(LANG_COOKIE),
        )
    except RateLimited as exc:
        return _sign_in_page(request, 429, _typed(data, "email")["email"], next_path, exc)
    except Invalid as exc:
        return _sign_in_page(request, 400, _typed(data, "email")["email"], next_path, exc)
    with use_language(signed_in.user.language):
        message = _("Welcome, %(name)s.", name=signed_in.user.name)
    response = redirect(request, next_path or _home(request), message)
    response.cookies.append(_session_cookie(settings, signed_in.session_token))
    return response


@post("/sign-out", name="accounts:sign_out", include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    await service.sign_out(request.state.db, request.cookies.get(COOKIE))
    response = redirect(request, _home(request), _("You have signed out."))
    response.cookies.append(_clear_session_cookie(_settings(request)))
    return response


# ---------------------------------------------------------------- password reset
@get("/password/forgot", name="accounts:forgot_password", include_in_schema=False)
async def forgot_password_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "accounts/forgot_password.html", email="", errors={}, error_message=None)


@post("/password/forgot", name="accounts:request_reset", include_in_schema=False)
async def forgot_password(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    try:
        await service.request_password_reset(request.state.db, data, base_url=_settings(request).base_url)
    except Invalid as exc:
        return page(request, "accounts/forgot_password.html", status_code=400, email=_typed(data, "email")["email"],
                    errors=exc.errors, error_message=exc.message)
    return redirect(request, _url(request, "accounts:sign_in"),
                    _("If an account uses this address, we have sent it a link to choose a new password. "
                      "The link works once, for 2 hours."), kind="info")


def _bad_reset_link(request: Request[Any, Any, Any], exc: Invalid) -> Template:
    return _message_page(request, _("The password was not changed"), exc.message,
                         link_url=_url(request, "accounts:forgot_password"), link_text=_("Ask for a new link"))


@get(service.RESET_PATH + "{token:str}", name="accounts:reset_password", include_in_schema=False)
async def reset_password_form(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        await service.check_reset_token(request.state.db, token)
    except Invalid as exc:
        return _bad_reset_link(request, exc)
    return page(request, "accounts/reset_password.html", token=token, errors={}, error_message=None)


@post(service.RESET_PATH + "{token:str}", name="accounts:set_password", include_in_schema=False)
async def reset_password(request: Request[Any, Any, Any], token: FromPath[str], data: FormData) -> Response[Any]:
    try:
        await service.check_reset_token(request.state.db, token)
    except Invalid as exc:
        return _bad_reset_link(request, exc)
    try:
        await service.reset_password(request.state.db, token, data)
    except Invalid as exc:
        if "password" not in exc.errors:
            return _bad_reset_link(request, exc)
        return page(request, "accounts/reset_password.html", status_code=400, token=token, errors=exc.errors,
                    error_message=exc.message)
    response = redirect(request, _url(request, "accounts:sign_in"),
                        _("Your password is changed and every session is signed out. Please sign in "
                          "with the new password."))
    response.cookies.append(_clear_session_cookie(_settings(request)))
    return response


# ---------------------------------------------------------------- profile
async def _profile_page(request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
    actor: Actor = request.state.actor
    user = require_user(actor)
    db = request.state.db
    context.setdefault("values", {"name": user.name, "language": user.language,
                                  "region_id": str(user.region_id or "")})
    context.setdefault("errors", {})
    context.setdefault("error_message", None)
    context.setdefault("delete_errors", {})
    context.setdefault("delete_error_message", None)
    context.setdefault("token_errors", {})
    context.setdefault("token_name", "")
    context.setdefault("new_token", None)
    return page(request, "accounts/profile.html", status_code=status, user=user,
                regions=await service.list_regions(db), tokens=await service.list_api_tokens(db, actor),
                memberships=actor.memberships, **context)


@get("/profile", name="accounts:profile", include_in_schema=False)
async def profile(request: Request[Any, Any, Any]) -> Template:
    return await _profile_page(request)


@post("/profile", name="accounts:update_profile", include_in_schema=False)
async def update_profile(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    try:
        user = await service.update_profile(request.state.db, request.state.actor, data)
    except Invalid as exc:
        return await _profile_page(request, 400, values=_typed(data, "name", "language", "region_id"),
                                   errors=exc.errors, error_message=exc.message)
    with use_language(user.language):
        message = _("Your profile is saved.")
    response = redirect(request, _url(request, "accounts:profile"), message)
    if user.language in LANGUAGES:
        response.cookies.append(Cookie(key=LANG_COOKIE, value=user.language, max_age=365 * 86400, path="/",
                                       samesite="lax", httponly=True))
    return response


async def _tokens_fragment(request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
    """The API tokens section alone (htmx swaps it), or the whole profile page around it."""
    if not _htmx(request):
        return await _profile_page(request, status, **context)
    actor: Actor = request.state.actor
    context.setdefault("token_errors", {})
    context.setdefault("token_name", "")
    context.setdefault("new_token", None)
    return page(request, "accounts/partials/tokens.html", status_code=status,
                tokens=await service.list_api_tokens(request.state.db, actor), **context)


@post("/profile/tokens", name="accounts:create_token", include_in_schema=False)
async def create_token(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    try:
        row, token = await service.create_api_token(request.state.db, request.state.actor, data)
    except Invalid as exc:
        return await _tokens_fragment(request, 400, token_errors=exc.errors, token_name=_typed(data, "name")["name"])
    skip_compression(request)  # the new token next to its name as typed: never gzipped (BREACH)
    return await _tokens_fragment(request, 201 if not _htmx(request) else 200, new_token=token,
                                  new_token_name=row.name)


@post("/profile/tokens/{token_id:int}/revoke", name="accounts:revoke_token", include_in_schema=False)
async def revoke_token(request: Request[Any, Any, Any], token_id: FromPath[int]) -> Response[Any]:
    await service.revoke_api_token(request.state.db, request.state.actor, token_id)
    if _htmx(request):
        return await _tokens_fragment(request)
    return redirect(request, _url(request, "accounts:profile"), _("The token is revoked."))


@post("/profile/delete", name="accounts:delete_account", include_in_schema=False)
async def delete_account(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    try:
        await service.delete_account(request.state.db, request.state.actor, data, client_ip=_client_ip(request))
    except (Invalid, RateLimited) as exc:
        response = await _profile_page(request, 429 if isinstance(exc, RateLimited) else 400,
                                       delete_errors=exc.errors or {"password": exc.message},
                                       delete_error_message=exc.message)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = redirect(request, _home(request), _("Your account is deleted. Goodbye!"))
    response.cookies.append(_clear_session_cookie(_settings(request)))
    return response


routes = [
    register_form, register, confirm, resend_confirmation, sign_in_form, sign_in, sign_out,
    forgot_password_form, forgot_password, reset_password_form, reset_password,
    profile, update_profile, create_token, revoke_token, delete_account,
]
