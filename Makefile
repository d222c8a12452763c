# Bolt — developer entry points. `make` alone prints this list.
SHELL := /bin/bash
.DEFAULT_GOAL := help

MVNW      ?= ./mvnw
JAVA      ?= java
JAVA_OPTS ?=
ARGS      ?=
JAR       := target/bolt.jar
# Admin API token for local demo runs; override in the environment for anything real.
BOLT_ADMIN_TOKEN ?= dev-admin-token

# Everything that goes into the jar: rebuild only when one of these is newer.
JAR_INPUTS := pom.xml $(shell find src/main sql -type f 2>/dev/null)

.PHONY: help services cluster build run test bench model clean

help: ## list targets
	@echo "Bolt make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## (.*)/  \1\t\2/' | expand -t 12

services: ## make sure Redis and PostgreSQL answer on 127.0.0.1 (scripts/services.sh)
	scripts/services.sh

cluster: ## start a local Redis Cluster on 127.0.0.1:7001-7006 (scripts/cluster.sh; stop: scripts/cluster.sh stop)
	scripts/services.sh --cluster

build: $(JAR) ## build target/bolt.jar if any source changed

$(JAR): $(JAR_INPUTS)
	$(MVNW) -B -q -DskipTests package
	@touch $@

run: export BOLT_ADMIN_TOKEN := $(BOLT_ADMIN_TOKEN)
run: services $(JAR) ## start services, build if needed, run the server (schema + seed applied at startup)
	exec $(JAVA) $(JAVA_OPTS) -jar $(JAR)

test: ## start services and the local Redis Cluster, install the test browser if missing, then ./mvnw -B verify, and the cluster suite (-Pcluster)
	scripts/services.sh --browser --cluster
	$(MVNW) -B verify
	$(MVNW) -B verify -Pcluster

bench: services ## start services, then bench/run.sh $(ARGS)
	bench/run.sh $(ARGS)

model: ## model-check the protocol (model/bolt.pml) with Spin, mutants included (model/check.sh)
	model/check.sh

clean: ## remove build output
	rm -rf target model/out
