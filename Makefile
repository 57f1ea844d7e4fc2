# longwing: `make demo` runs the main job, `make test` runs lint + the whole test suite.
# Both create .venv if missing and install pinned dependencies (requirements.lock).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/longwing trim --airframe aerosonde --airspeed 25 --altitude 1500 --latitude 47 --fuel-kg 4 --modes
	$(VENV)/bin/longwing fly examples/long_range.plan --airframe aerosonde --wind 90@8 \
	    --turbulence light --seed 1 --out runs/demo
	$(VENV)/bin/longwing plan check examples/long_range.plan --airframe aerosonde --wind 90@8
	@# a Monte Carlo batch of the short survey (a second `make demo` continues the same one)
	if [ -d runs/demo-batch/runs.parquet ]; then resume=--resume; fi; \
	$(VENV)/bin/longwing batch examples/survey_mc.toml --runs 40 --out runs/demo-batch $$resume
	@echo "report: runs/demo/report.html; Monte Carlo: runs/demo-batch/report.html"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

test: lint
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	$(PY) benchmarks/bench_physics.py
	$(PY) benchmarks/bench_closed_loop.py --laima
	$(PY) benchmarks/bench_planning.py
	$(PY) benchmarks/bench_terrain.py
	$(PY) benchmarks/bench_sitl.py
	$(PY) benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
