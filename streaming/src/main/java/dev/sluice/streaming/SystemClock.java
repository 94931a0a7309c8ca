package dev.sluice.streaming;

/** The wall clock, waiting with short parks so that a late start catches up at once. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }

    @Override
    public void waitUntil(long targetMillis) throws InterruptedException {
        long now;
        while ((now = System.currentTimeMillis()) < targetMillis) {
            long remaining = targetMillis - now;
            // Sleep most of the way, then in small steps: a batch should start within a ms of its time.
            Thread.sleep(remaining > 5 ? remaining - 2 : 1);
        }
    }
}
