# Open mHealth validation layer (fhir.md §14): JSON Schema engine, registry, effective times.
libjhe_a_SOURCES += src/omh/omh.h src/omh/omh_int.h src/omh/arena.c src/omh/regex.c \
	src/omh/schema.c src/omh/times.c

# The project's own OMH / IEEE 1752 schemas, installed as $(pkgdatadir)/schemas/{omh,ieee}/.
nobase_dist_pkgdata_DATA += \
	schemas/ieee/body-posture-1.0.json \
	schemas/ieee/date-time-1.0.json \
	schemas/ieee/descriptive-statistic-1.0.json \
	schemas/ieee/descriptive-statistic-denominator-1.0.json \
	schemas/ieee/duration-unit-value-1.0.json \
	schemas/ieee/duration-unit-value-range-1.0.json \
	schemas/ieee/frequency-unit-value-1.0.json \
	schemas/ieee/header-1.0.json \
	schemas/ieee/percent-unit-value-1.0.json \
	schemas/ieee/schema-id-1.0.json \
	schemas/ieee/sleep-stage-summary-1.0.json \
	schemas/ieee/temperature-unit-value-1.0.json \
	schemas/ieee/time-frame-1.0.json \
	schemas/ieee/time-interval-1.0.json \
	schemas/ieee/unit-value-1.0.json \
	schemas/ieee/unit-value-range-1.0.json \
	schemas/omh/activity-name-1.x.json \
	schemas/omh/blood-glucose-4.0.json \
	schemas/omh/blood-pressure-4.0.json \
	schemas/omh/body-location-1.x.json \
	schemas/omh/body-temperature-4.0.json \
	schemas/omh/body-weight-3.0.json \
	schemas/omh/date-time-1.x.json \
	schemas/omh/descriptive-statistic-1.0.json \
	schemas/omh/descriptive-statistic-1.x.json \
	schemas/omh/descriptive-statistic-denominator-1.x.json \
	schemas/omh/diastolic-blood-pressure-1.x.json \
	schemas/omh/duration-unit-value-1.x.json \
	schemas/omh/forced-expiratory-volume-1-second-1.0.json \
	schemas/omh/forced-vital-capacity-1.0.json \
	schemas/omh/heart-rate-2.0.json \
	schemas/omh/kcal-unit-value-1.x.json \
	schemas/omh/length-unit-value-1.x.json \
	schemas/omh/mass-unit-value-1.x.json \
	schemas/omh/oxygen-saturation-2.0.json \
	schemas/omh/part-of-day-1.x.json \
	schemas/omh/physical-activity-1.2.json \
	schemas/omh/respiratory-rate-2.0.json \
	schemas/omh/rr-interval-1.0.json \
	schemas/omh/sleep-duration-2.0.json \
	schemas/omh/sleep-episode-1.1.json \
	schemas/omh/specimen-source-2.x.json \
	schemas/omh/step-count-3.0.json \
	schemas/omh/systolic-blood-pressure-1.x.json \
	schemas/omh/temporal-relationship-to-meal-1.x.json \
	schemas/omh/temporal-relationship-to-physical-activity-1.x.json \
	schemas/omh/temporal-relationship-to-sleep-1.x.json \
	schemas/omh/time-frame-1.x.json \
	schemas/omh/time-interval-1.x.json \
	schemas/omh/unit-value-1.x.json \
	schemas/omh/volume-unit-value-1.x.json
