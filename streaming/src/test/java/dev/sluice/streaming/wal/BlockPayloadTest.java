package dev.sluice.streaming.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.RecordBytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BlockPayloadTest {
    private static final WalPosition AT = new WalPosition(4, 1234);

    /** A random string: ASCII, Latin-1, other BMP chars, surrogate pairs, unpaired surrogates, or long. */
    static String randomString(Random random) {
        int kind = random.nextInt(6);
        int length = kind == 5 ? 200 + random.nextInt(5000) : random.nextInt(40);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(kind == 0 || kind == 5 ? 1 : 5)) {
                case 0 -> sb.append((char) (32 + random.nextInt(95)));
                case 1 -> sb.append((char) (0x80 + random.nextInt(0x780))); // two bytes
                case 2 -> sb.append((char) (0x800 + random.nextInt(0xd000))); // three bytes, not surrogates
                case 3 -> sb.appendCodePoint(0x10000 + random.nextInt(0xfffff)); // a surrogate pair
                default -> sb.append((char) (0xd800 + random.nextInt(0x800))); // a lone surrogate
            }
        }
        if (random.nextInt(10) == 0) {
            sb.append('\0');
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void encode_randomStrings_decodeGivesEqualStringsAndId(long seedBase) {
        long seed = seedBase * 0x9E3779B97F4A7C15L ^ System.nanoTime();
        Random random = new Random(seed);
        for (int block = 0; block < 50; block++) {
            List<String> records = new ArrayList<>();
            for (int i = random.nextInt(300); i > 0; i--) {
                records.add(randomString(random));
            }
            InputBlock id = new InputBlock(random.nextInt(100), random.nextLong() & Long.MAX_VALUE);

            byte[] payload = BlockPayload.encode(id, records).copy();
            BlockPayload.Decoded decoded = BlockPayload.decode(AT, payload);

            assertThat(payload[BlockPayload.PREFIX_BYTES]).as("seed %s block %s: body kind", seed, block)
                    .isEqualTo(BlockPayload.STRINGS);
            assertThat(decoded.id()).as("seed %s block %s", seed, block).isEqualTo(id);
            assertThat(decoded.records()).as("seed %s block %s", seed, block).isEqualTo(records);
        }
    }

    @Test
    void encode_recordsThatAreNotAllStrings_keepsKryoAndReadsBackEqual() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(random.nextBoolean() ? randomString(random) : Pair.of("k" + random.nextInt(50), i));
        }
        records.add(0, "first is a string");
        InputBlock id = new InputBlock(2, 99);

        byte[] payload = BlockPayload.encode(id, records).copy();

        assertThat(payload[BlockPayload.PREFIX_BYTES]).as("seed %s: Kryo's record marker", seed).isEqualTo((byte) 1);
        assertThat(BlockPayload.decode(AT, payload).records()).as("seed %s", seed).isEqualTo(records);
    }

    @Test
    void decode_blockWrittenBeforeStringBlocks_readsBackEqual() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> records = new ArrayList<>();
        for (int i = random.nextInt(100); i > 0; i--) {
            records.add(randomString(random));
        }
        // The earlier writer's layout: int streamId | long sequence | RecordBytes.
        byte[] body = RecordBytes.of(records.iterator());
        byte[] old = ByteBuffer.allocate(12 + body.length).putInt(7).putLong(1L << 40 | 3).put(body).array();

        BlockPayload.Decoded decoded = BlockPayload.decode(AT, old);

        assertThat(decoded.id()).isEqualTo(new InputBlock(7, 1L << 40 | 3));
        assertThat(decoded.records()).as("seed %s", seed).isEqualTo(records);
    }

    @Test
    void decode_unknownBodyKind_refusesNamingThePositionAndTheKind() {
        byte[] payload = BlockPayload.encode(new InputBlock(1, 1), List.of("a", "b")).copy();
        payload[BlockPayload.PREFIX_BYTES] = 9;

        assertThatThrownBy(() -> BlockPayload.decode(AT, payload)).isInstanceOf(SluiceException.class)
                .hasMessageContaining(AT.toString()).hasMessageContaining("kind 9").hasMessageContaining("newer");
    }

    @Test
    void decode_stringBodyCutOrPadded_refusesNamingThePosition() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(randomString(random) + "x");
        }
        byte[] payload = BlockPayload.encode(new InputBlock(1, 1), records).copy();
        for (int cut = BlockPayload.PREFIX_BYTES + 1; cut < payload.length; cut += 1 + random.nextInt(7)) {
            byte[] shorter = java.util.Arrays.copyOf(payload, cut);
            assertThatThrownBy(() -> BlockPayload.decode(AT, shorter)).as("seed %s cut at %s", seed, cut)
                    .isInstanceOf(SluiceException.class).hasMessageContaining(AT.toString());
        }
        byte[] longer = java.util.Arrays.copyOf(payload, payload.length + 3);
        assertThatThrownBy(() -> BlockPayload.decode(AT, longer)).isInstanceOf(SluiceException.class)
                .hasMessageContaining("3 bytes follow the last string");
    }
}
