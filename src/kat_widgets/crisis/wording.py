"""What the banner says, in English, Spanish and French.

Warm, hopeful, no outcome promises; 988 and 911 kept apart (SAMHSA and safe-messaging guidance,
see docs/crisis.md). Channel labels always carry the number and the text keyword.
"""

from __future__ import annotations

import msgspec

from kat_widgets.crisis.models import Channel, Language

__all__ = ["WORDING", "Wording", "channel_label"]


class Wording(msgspec.Struct, frozen=True, kw_only=True):
    """Every sentence and label of the banner in one language."""

    region_label: str
    heading: str
    lead: str
    get_help: str
    """The permanent link: ``Get help now: {action}``."""
    hide: str
    show: str
    danger: str
    local_emergency: str
    elsewhere: str
    or_: str
    colon: str
    """``:`` in English and Spanish, a no-break space and ``:`` in French."""
    hours: str
    last_checked: str
    unconfirmed: str
    """Marks entries shown only on request because no source confirms them yet."""
    call: str
    call_press: str
    text: str
    text_keyword: str
    chat: str
    video: str
    app: str
    tty: str
    web: str


WORDING: dict[Language, Wording] = {
    "en": Wording(
        region_label="Crisis support",
        heading="Help is available",
        lead="If you or someone you know is struggling or in crisis, help is available.",
        get_help="Get help now: {action}",
        hide="Hide crisis support",
        show="Show crisis support",
        danger="In immediate danger?",
        local_emergency="In immediate danger? Call your local emergency number.",
        elsewhere="Outside the US and Canada? Find a free, confidential helpline in your country.",
        or_="or",
        colon=":",
        hours="Hours",
        last_checked="Last checked",
        unconfirmed="not yet confirmed",
        call="Call {number}",
        call_press="Call {number}, then press {press}",
        text="Text {number}",
        text_keyword="Text {keyword} to {number}",
        chat="Chat at {url}",
        video="Videophone at {url}",
        app="Get the app at {url}",
        tty="TTY {number}",
        web="Visit {url}",
    ),
    "es": Wording(
        region_label="Apoyo en caso de crisis",
        heading="Hay ayuda disponible",
        lead=(
            "Si usted o alguien que conoce está pasando por un momento difícil o una crisis, "
            "hay ayuda disponible."
        ),
        get_help="Obtenga ayuda ahora: {action}",
        hide="Ocultar el apoyo en caso de crisis",
        show="Mostrar el apoyo en caso de crisis",
        danger="¿Está en peligro inmediato?",
        local_emergency="¿Está en peligro inmediato? Llame al número de emergencias local.",
        elsewhere=(
            "¿Está fuera de Estados Unidos y Canadá? Encuentre una línea de ayuda gratuita y "
            "confidencial en su país."
        ),
        or_="o",
        colon=":",
        hours="Horario",
        last_checked="Última verificación",
        unconfirmed="aún sin confirmar",
        call="Llame al {number}",
        call_press="Llame al {number} y marque {press}",
        text="Envíe un mensaje de texto al {number}",
        text_keyword="Envíe {keyword} por mensaje de texto al {number}",
        chat="Chat en {url}",
        video="Videoteléfono en {url}",
        app="Descargue la aplicación en {url}",
        tty="TTY {number}",
        web="Visite {url}",
    ),
    "fr": Wording(
        region_label="Soutien en cas de crise",
        heading="De l'aide est disponible",
        lead=(
            "Si vous ou une personne que vous connaissez traversez une période difficile ou "
            "une crise, de l'aide est disponible."
        ),
        get_help="Obtenir de l'aide maintenant\u00a0: {action}",
        hide="Masquer le soutien en cas de crise",
        show="Afficher le soutien en cas de crise",
        danger="En danger immédiat\u00a0?",
        local_emergency="En danger immédiat\u00a0? Appelez le numéro d'urgence local.",
        elsewhere=(
            "Hors des États-Unis et du Canada\u00a0? Trouvez une ligne d'écoute gratuite et "
            "confidentielle dans votre pays."
        ),
        or_="ou",
        colon="\u00a0:",
        hours="Heures",
        last_checked="Dernière vérification",
        unconfirmed="pas encore confirmé",
        call="Appelez le {number}",
        call_press="Appelez le {number}, puis faites le {press}",
        text="Textez le {number}",
        text_keyword="Textez {keyword} au {number}",
        chat="Clavardez sur {url}",
        video="Vidéophone sur {url}",
        app="Téléchargez l'application sur {url}",
        tty="ATS {number}",
        web="Consultez {url}",
    ),
}


def channel_label(channel: Channel, lang: Language) -> str:
    """``Call 988``, ``Text HOME to 741741``, ``Chat at 988lifeline.org/chat``, in ``lang``."""
    if channel.label:
        return channel.label.get(lang, channel.label["en"])
    words = WORDING[lang]
    if channel.kind == "call":
        pattern = words.call_press if channel.press else words.call
    elif channel.kind == "text":
        pattern = words.text_keyword if channel.keyword else words.text
    else:
        pattern = getattr(words, channel.kind)
    return pattern.format(
        number=channel.number, keyword=channel.keyword, press=channel.press, url=channel.url_label
    )
