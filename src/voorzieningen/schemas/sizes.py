"""One floor-area formula for the model, the verifier and the reports (pure, no Pyomo).

Floor area of one service in one building = a fixed base (hall, staff room, toilets,
installations) plus an area per place: ``base_m2 + m2_per_place * places`` (the form of the
VNG modelverordening voorzieningen huisvesting onderwijs for schools). A closed service
(0 places) needs no area.
"""

from __future__ import annotations

from voorzieningen.schemas.model import CostSettings, Service


def floor_area_m2(service: Service, places: float, costs: CostSettings) -> float:
    """
    Gross floor area one service needs for a number of places.

    Parameters
    ----------
    service
        ``"school"``, ``"gp"`` or ``"community_hall"``.
    places
        Capacity in the service's own unit (pupils, patients, visitor equivalents), >= 0.
    costs
        Cost settings holding ``base_m2`` (m² BVO) and ``m2_per_place`` (m² BVO per place).

    Returns
    -------
    float
        m² BVO: 0 for 0 places, otherwise ``base_m2 + m2_per_place * places``.

    Raises
    ------
    ValueError
        If ``places`` is negative or not finite.
    """
    if not (places >= 0 and places < float("inf")):
        msg = f"places must be a finite number >= 0, got {places!r}"
        raise ValueError(msg)
    if places == 0:
        return 0.0
    norm = costs.for_service(service)
    return norm.base_m2 + norm.m2_per_place * places


def places_in_area(service: Service, area_m2: float, costs: CostSettings) -> float:
    """
    Largest number of places of one service that fit in a floor area.

    The inverse of :func:`floor_area_m2`.

    Parameters
    ----------
    service
        ``"school"``, ``"gp"`` or ``"community_hall"``.
    area_m2
        Available gross floor area, m² BVO, >= 0.
    costs
        Cost settings holding ``base_m2`` and ``m2_per_place``.

    Returns
    -------
    float
        Places (not rounded): ``(area_m2 - base_m2) / m2_per_place``, and 0 when the area
        does not even hold the fixed base.

    Raises
    ------
    ValueError
        If ``area_m2`` is negative or not finite.
    """
    if not (area_m2 >= 0 and area_m2 < float("inf")):
        msg = f"area_m2 must be a finite number >= 0, got {area_m2!r}"
        raise ValueError(msg)
    norm = costs.for_service(service)
    return max(0.0, (area_m2 - norm.base_m2) / norm.m2_per_place)
