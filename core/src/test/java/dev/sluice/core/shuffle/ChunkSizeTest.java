package dev.sluice.core.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkSizeTest {

    @Test
    void bitsBelow_halfRegion_isTheLongestNonHumongousArray() {
        // Half of G1's 1, 2, 4 and 32 MB regions, with 4-byte (compressed) and 8-byte references.
        assertThat(ChunkSize.bitsBelow(512 * 1024, 4)).isEqualTo(16);
        assertThat(ChunkSize.bitsBelow(1024 * 1024, 4)).isEqualTo(17);
        assertThat(ChunkSize.bitsBelow(2 * 1024 * 1024, 4)).isEqualTo(18);
        assertThat(ChunkSize.bitsBelow(16 * 1024 * 1024, 4)).isEqualTo(21);
        assertThat(ChunkSize.bitsBelow(1024 * 1024, 8)).isEqualTo(16);
        for (long limit = 1 << 19; limit <= 1 << 25; limit += 77_777) {
            int b = ChunkSize.bitsBelow(limit, 4);
            assertThat((1L << b) * 4 + 16).as("limit %s", limit).isLessThan(limit);
            assertThat((1L << (b + 1)) * 4 + 16).as("limit %s", limit).isGreaterThanOrEqualTo(limit);
        }
    }

    @Test
    void bits_underThisJvmsCollector_isWithinBounds() {
        int bits = ChunkSize.bits();
        assertThat(bits).isBetween(ChunkSize.SAFE_BITS, ChunkSize.FLAT_BITS);
    }
}
