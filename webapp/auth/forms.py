"""Forms of logging in, resetting a password and accepting an invitation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from events.limits import EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN, PERSON_NAME_MAX


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired("Please enter your e-mail address."),
                                             Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired("Please enter your password."),
                                                     Length(max=PASSWORD_MAX)])


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired("Please enter your e-mail address."),
                                             Length(max=EMAIL_MAX)])


def _new_password() -> PasswordField:
    return PasswordField("New password", validators=[
        DataRequired("Please choose a password."),
        Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
               message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.")])


def _confirmation() -> PasswordField:
    return PasswordField("New password again", validators=[
        DataRequired("Please type the password again."),
        EqualTo("password", "The two passwords differ.")])


class NewPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _confirmation()


class AcceptInvitationForm(FlaskForm):
    """For someone without an account yet: their name and a password."""

    name = StringField("Your name", validators=[DataRequired("Please enter your name."),
                                                Length(max=PERSON_NAME_MAX)])
    password = _new_password()
    confirm = _confirmation()
