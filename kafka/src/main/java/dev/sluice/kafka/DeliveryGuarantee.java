package dev.sluice.kafka;

/** What a Kafka sink promises about each record of a batch across failures and replays. */
public enum DeliveryGuarantee {
    /**
     * Each batch is produced in one Kafka transaction, committed together with a marker of its
     * batch id; a replay of a committed batch is skipped, and an uncommitted attempt is aborted and
     * redone. Consumers with {@code isolation.level=read_committed} see each record once.
     */
    EXACTLY_ONCE,
    /**
     * An idempotent producer (no duplicates from the producer's own retries), but a replayed batch
     * is produced again: consumers see each record at least once.
     */
    AT_LEAST_ONCE
}
