"""Errors are ErrorBody JSON and never echo personal data, in bodies or in log lines."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from departments.population import Population
from onething.constants import Department
from tests.unit.departments.helpers import birth_certificate, household_registration, post

Client = Callable[[Department], TestClient]


def test_validation_errors_name_fields_but_never_echo_values(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = population.family(0)
    body = household_registration(family)
    body["child"] = {**body["child"], "sex": "女孩张秀英", "weight_g": "三千克"}
    body["张秀英 330702194803100036"] = "extra"

    response = post(police, "/household-registrations", body)

    assert response.status_code == 422
    error = response.json()
    assert set(error) == {"error", "detail"}
    assert error["error"] == "invalid_request"
    assert "body.child.sex" in error["detail"]
    assert "body.child.weight_g" in error["detail"]
    for value in ("张秀英", "三千克", "330702194803100036", family.father.id_number, "王小明"):
        assert value not in response.text


def test_malformed_json_is_an_error_body(department: Client) -> None:
    response = department("civil_affairs").post(
        "/marriage-queries",
        content=b'{"spouse_a_id_number": "330702194803100036",',
        headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "330702194803100036" not in response.text


def test_an_invalid_id_number_is_refused_without_echoing_it(
    department: Client, population: Population
) -> None:
    health = department("health")
    body = birth_certificate(population.family(0))
    body["mother_id_number"] = "330702194803100037"

    response = post(health, "/birth-certificates", body)

    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid_id_number",
        "detail": "mother_id_number is not a valid resident ID number",
    }


def test_unknown_paths_are_error_bodies(department: Client) -> None:
    response = department("tax").get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_log_lines_hold_paths_and_no_personal_data(
    department: Client, population: Population, caplog: pytest.LogCaptureFixture
) -> None:
    police = department("police")
    family = population.family(1)
    unknown_parent = household_registration(family)
    unknown_parent["household_parent_id_number"] = "11010519491231002X"
    with caplog.at_level(logging.DEBUG):
        post(police, "/household-registrations", household_registration(family))
        post(police, "/household-registrations", unknown_parent)

    assert "POST /household-registrations 200" in caplog.text
    assert "POST /household-registrations 422" in caplog.text
    for value in (family.father.id_number, family.mother.id_number, "11010519491231002X"):
        assert value not in caplog.text
    assert family.father.name not in caplog.text
