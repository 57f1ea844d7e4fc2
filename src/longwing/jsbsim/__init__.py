"""Bring your own aircraft: JSBSim aircraft files read, compiled and flown (issue 16).

- ``xml_tree``: XML with file and line on every element (the only module opening files);
- ``xml_model``: ``load_aircraft`` -> AircraftModel (metrics, mass balance, contacts,
  engine references, the aerodynamics elements), SI records;
- ``tables``, ``functions``: <table> and <function> compiled to flat arrays and one
  compiled evaluator;
- ``properties``: the properties the functions may read (docs/jsbsim.md);
- ``compile_aero``: ``compile_aircraft`` -> CompiledAircraft (AeroKernel, slot names),
  ``new_props``;
- ``aero``: ``aero_forces_moments`` (lbf, lbf ft) and ``aero_forces_moments_si``;
- ``propulsion_model``: ``load_propulsion`` -> PropulsionModel (piston engines, propellers,
  tanks; SI records);
- ``propeller``, ``piston``: FGPropeller and FGPiston (simplified) as njit functions.

Importing this package imports no numba: import the modules you use.
"""
