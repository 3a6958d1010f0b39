# The portal's two commands are `make run` and `make test`; the rest serve them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format lock messages check clean

$(STAMP): requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.lock -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

## Start the whole portal (embedded Postgres and Redis unless DATABASE_URL / REDIS_URL are set).
run: $(STAMP)
	$(BIN)/python -m devstack.launcher run

## Run every test: unit, integration and browser.
test: $(STAMP)
	$(BIN)/python -m devstack.launcher test -- $(PYTEST_ARGS)

## Measure the portal on this machine and print one table (changes nothing in git).
bench: $(STAMP)
	$(BIN)/python -m devstack.launcher bench -- $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=.data --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

## Re-resolve the two lock files: what runs the portal (requirements.in -> requirements.lock,
## all the image installs) and what development and tests add (requirements-dev.lock).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^pkg.resources' > .lock-prod
	.lock-venv/bin/pip install --quiet -r requirements-dev.in -c .lock-prod
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^pkg.resources' \
		| grep -vxF -f .lock-prod > .lock-dev
	{ sed -n '/^#/p' requirements.lock; cat .lock-prod; } > requirements.lock.new
	{ sed -n '/^#/p' requirements-dev.lock; cat .lock-dev; } > requirements-dev.lock.new
	mv requirements.lock.new requirements.lock
	mv requirements-dev.lock.new requirements-dev.lock
	rm -rf .lock-venv .lock-prod .lock-dev

clean:
	rm -rf $(VENV)
