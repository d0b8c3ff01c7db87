"""The parts of the demo world: registry, figures and calibration, defects, documents, sources."""
