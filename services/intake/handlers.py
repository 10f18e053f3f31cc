"""Intake's use cases: plain functions of a command and a unit of work."""
from __future__ import annotations

from marshmallow import ValidationError

from shared.events import Envelope

from .domain import Consultation
from .schemas import RecordConsultationSchema
from .tables import consultations

SOURCE = "/tsunagu/intake"


class InvalidInput(ValueError):
    """Malformed input; ``errors`` maps each bad field to its messages."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(f"invalid input: {errors}")


def record_consultation(payload: dict, uow, correlation_id: str | None = None) -> Consultation:
    try:
        command = RecordConsultationSchema().load(payload)
    except ValidationError as exc:
        raise InvalidInput(exc.messages) from exc
    consultation = Consultation.record(command)
    person = consultation.person
    uow.session.execute(consultations.insert().values(
        id=consultation.id, person_ref=person.ref, person_name=person.name,
        person_name_kana=person.name_kana, person_birth_date=person.birth_date,
        person_phone=person.phone, desk_id=consultation.desk_id, ward=consultation.ward,
        channel=consultation.channel, concerns=list(consultation.concerns),
        urgency=consultation.urgency, summary=consultation.summary,
        recorded_at=consultation.recorded_at))
    uow.emit(Envelope(type="consultation.recorded", version=1, source=SOURCE,
                      subject=consultation.id, data=consultation.recorded_event_data(),
                      correlationid=correlation_id))
    uow.commit()
    return consultation
