"""Logging in and out, password resets by e-mail link, and accepting invitations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from events import account_links, accounts, co_organisers, login_guard
from events.accounts import Account
from events.errors import TooManyTries
from events.models import OutboxMessage
from webapp.auth.forms import AcceptInvitationForm, LoginForm, NewPasswordForm, ResetRequestForm
from webapp.auth.login import current_account, log_in, log_out, safe_next
from webapp.errors import status_of
from webapp.extensions import db, limiter
from webapp.pipeline import Page, act, form_page
from webapp.ratelimits import limited
from webapp.site import current_site

bp = Blueprint("auth", __name__)


@bp.record_once
def _secure_cookies(state: BlueprintSetupState) -> None:
    # The session cookie carries a login: never send it over plain HTTP when
    # the site is served over HTTPS (OWASP session management, "Secure").
    config = state.app.config
    if str(config.get("BASE_URL", "")).startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = config.get("SESSION_COOKIE_SAMESITE") or "Lax"


@bp.app_context_processor
def _organiser() -> dict[str, Any]:
    return {"organiser": current_account()}


@bp.app_template_global("account_link")
def account_link(message: OutboxMessage) -> str | None:
    """The reset or invitation link of an account e-mail, signed when it is sent."""
    return account_links.link_for_message(current_site(), db.session, dict(message.context or {}))


def login_limits() -> str:
    return str(current_app.config.get("RATELIMIT_LOGIN", "10 per minute"))


@bp.route("/login", methods=["GET", "POST"])
@limited(limiter.limit(login_limits, methods=["POST"]))
def login() -> Page:
    form = LoginForm()
    target = safe_next(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        try:
            account = act(lambda: login_guard.log_in(db.session, form.email.data,
                                                     form.password.data))
        except TooManyTries as error:
            account, status = None, status_of(error)
            form.password.errors = [error.message]
        else:
            if account is not None:
                log_in(account)
                return redirect(target or url_for("organise.home"))
            form.password.errors = ["That e-mail and password do not match an account."]
    if form.errors and status == 200:
        status = 422
    return render_template("auth/login.html", form=form, next=target), status


@bp.post("/logout")
def logout() -> Response:
    account = current_account()
    if account is not None:
        # Every copy of the cookie stops working, not only this browser's.
        act(lambda: accounts.end_sessions(account))
    log_out()
    flash("You are logged out.", "good")
    return redirect(url_for("auth.login"))


@bp.route("/login/reset", methods=["GET", "POST"])
@limited(limiter.limit(login_limits, methods=["POST"]))
def reset_request() -> Page:
    form = ResetRequestForm()
    # The same answer whether or not the address has an account.
    return form_page(form, lambda: accounts.request_password_reset(db.session, form.email.data),
                     page=lambda problem: render_template("auth/reset_request.html",
                                                          form=form, problem=problem),
                     done=lambda _: render_template("auth/reset_sent.html",
                                                    email=form.email.data),
                     fallback_field="email")


def _logged_in(account: Account, message: str | None, endpoint: str,
               **values: object) -> Response:
    log_in(account)
    if message:
        flash(message, "good")
    return redirect(url_for(endpoint, **values))


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@limited(limiter.limit(login_limits, methods=["POST"]))
def reset_password(token: str) -> Page:
    reset = accounts.reset_for_token(db.session, current_site(), token)
    form = NewPasswordForm()
    return form_page(
        form, lambda: accounts.reset_password(db.session, current_site(), token,
                                              form.password.data),
        page=lambda problem: render_template("auth/reset_password.html", form=form,
                                             reset=reset, problem=problem),
        done=lambda account: _logged_in(account, "Your new password is set.", "organise.home"),
        fallback_field="password")


def _accepted(accepted: co_organisers.Acceptance, invitation: co_organisers.CoOrganiserInvitation
              ) -> Response:
    if accepted.new_account:
        return _logged_in(accepted.account, None, "organise.programme",
                          programme_id=invitation.programme_id)
    flash(f"You are now in the team of {invitation.programme.name}. Log in to start.", "good")
    return redirect(url_for("auth.login"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limited(limiter.limit(login_limits, methods=["POST"]))
def accept_invitation(token: str) -> Page:
    site = current_site()
    invitation = co_organisers.invitation_for_token(db.session, site, token)
    has_account = accounts.account_for_email(db.session, invitation.email) is not None
    form = AcceptInvitationForm()
    if has_account:
        # Only the CSRF token matters: the account exists already.
        for name in ("name", "password", "confirm"):
            delattr(form, name)
    return form_page(
        form, lambda: co_organisers.accept_invitation(
            db.session, site, token, getattr(form, "name", None) and form.name.data,
            getattr(form, "password", None) and form.password.data),
        page=lambda problem: render_template("auth/accept_invitation.html", form=form,
                                             invitation=invitation, has_account=has_account,
                                             problem=problem),
        done=lambda accepted: _accepted(accepted, invitation),
        fallback_field="name")
