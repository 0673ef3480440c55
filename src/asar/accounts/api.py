"""The accounts JSON API: exchange e-mail and password for a token, read and edit yourself, tokens."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from asar.accounts import service
from asar.accounts.models import ApiToken
from asar.accounts.schemas import (
    ConfirmedOut,
    ConfirmIn,
    Me,
    MeChanges,
    MembershipInfo,
    SignUpIn,
    SignUpOut,
    TokenCreated,
    TokenInfo,
    TokenRequest,
)
from asar.i18n import gettext as _
from asar.permissions import Actor, require_user
from asar.web.openapi import signed_in

TAGS = ["accounts"]


def _client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def _me(actor: Actor) -> Me:
    user = require_user(actor)
    return Me(
        id=user.id, email=user.email, name=user.name, language=user.language, region_id=user.region_id,
        confirmed=user.confirmed, is_admin=user.is_admin,
        acting_organization_id=actor.membership.organization_id if actor.membership else None,
        memberships=[
            MembershipInfo(organization_id=m.organization_id, name=m.organization.name,
                           sector=m.organization.sector, role=m.role, verified=m.organization.verified)
            for m in actor.memberships
        ],
    )


def _token_info(row: ApiToken) -> TokenInfo:
    return TokenInfo(id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at,
                     last_used_at=row.last_used_at)


@post("/api/v1/accounts", name="accounts:api_sign_up", tags=TAGS, status_code=202,
      summary="Sign up: create an account and mail its confirmation link",
      description="The same rules as the registration page. The answer is the same whether or not the "
                  "address is registered already: a new account gets a confirmation link, the owner of a "
                  "registered address gets a note instead. Confirm the address (open the link, or send its "
                  "token to `POST /api/v1/accounts/confirmation`), then ask for a token at `POST /api/v1/token`.")
async def sign_up(request: Request[Any, Any, Any], data: JSONBody[SignUpIn]) -> SignUpOut:
    settings = request.app.state.settings
    email = data.email.strip()
    await service.register(request.state.db, request.state.actor,
                           {"email": data.email, "password": data.password, "name": data.name,
                            "language": data.language},
                           base_url=settings.base_url)
    return SignUpOut(email=email, message=_("We have sent a message to %(email)s: follow its link to confirm "
                                            "the address.", email=email))


@post("/api/v1/accounts/confirmation", name="accounts:api_confirm", tags=TAGS, status_code=200,
      summary="Confirm an e-mail address with the token from the confirmation link (single use)")
async def confirm(request: Request[Any, Any, Any], data: JSONBody[ConfirmIn]) -> ConfirmedOut:
    user = await service.confirm_email(request.state.db, data.token)
    return ConfirmedOut(email=user.email, confirmed=user.confirmed)


@post("/api/v1/me/confirmation", name="accounts:api_resend_confirmation", guards=[signed_in], tags=TAGS,
      status_code=202, opt={"throttled": True},
      summary="Mail a new confirmation link (at most one a minute; earlier links stop working)")
async def resend_confirmation(request: Request[Any, Any, Any]) -> SignUpOut:
    actor: Actor = request.state.actor
    await service.resend_confirmation(request.state.db, actor, base_url=request.app.state.settings.base_url)
    email = require_user(actor).email
    return SignUpOut(email=email, message=_("We have sent a new confirmation link to %(email)s.", email=email))


@post("/api/v1/token", name="accounts:api_create_token", tags=TAGS, status_code=201, opt={"throttled": True},
      summary="Exchange e-mail and password for a personal API token",
      description="Send the token as `Authorization: Bearer <token>`. Failed attempts meet a growing "
                  "back-off (429 with Retry-After).")
async def create_token(request: Request[Any, Any, Any], data: JSONBody[TokenRequest]) -> TokenCreated:
    row, token = await service.create_api_token_with_password(
        request.state.db, {"email": data.email, "password": data.password, "name": data.name},
        client_ip=_client_ip(request),
    )
    return TokenCreated(token=token, name=row.name, prefix=row.prefix)


@get("/api/v1/me", name="accounts:api_me", guards=[signed_in], tags=TAGS, summary="The signed-in person and their memberships")
async def me(request: Request[Any, Any, Any]) -> Me:
    return _me(request.state.actor)


@patch("/api/v1/me", name="accounts:api_update_me", guards=[signed_in], tags=TAGS,
       summary="Change your name, preferred language (kk, ru, en) or region")
async def update_me(request: Request[Any, Any, Any], data: JSONBody[MeChanges]) -> Me:
    actor: Actor = request.state.actor
    await service.update_profile(request.state.db, actor, data.sent(), partial=True)
    return _me(actor)


@get("/api/v1/tokens", name="accounts:api_tokens", guards=[signed_in], tags=TAGS, summary="Your personal API tokens (not revoked)")
async def tokens(request: Request[Any, Any, Any]) -> list[TokenInfo]:
    return [_token_info(t) for t in await service.list_api_tokens(request.state.db, request.state.actor)]


@delete("/api/v1/tokens/{token_id:int}", name="accounts:api_revoke_token", guards=[signed_in], tags=TAGS, status_code=204,
        summary="Revoke one of your API tokens")
async def revoke_token(request: Request[Any, Any, Any], token_id: FromPath[int]) -> None:
    await service.revoke_api_token(request.state.db, request.state.actor, token_id)


routes = [sign_up, confirm, resend_confirmation, create_token, me, update_me, tokens, revoke_token]
