package dev.sluice.streaming.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.CheckpointException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetadataCheckpointFormatTest {

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void fromBytes_ofToBytes_givesAnEqualCheckpointAndEqualBytes(long seed) {
        MetadataCheckpoint c = RandomCheckpoints.checkpoint(new Random(seed), 10_000 + seed);

        byte[] bytes = MetadataCheckpointFormat.toBytes(c);
        MetadataCheckpoint back = MetadataCheckpointFormat.fromBytes("mem", bytes);

        assertThat(back).as("seed %s", seed).isEqualTo(c);
        assertThat(MetadataCheckpointFormat.toBytes(back)).as("seed %s", seed).isEqualTo(bytes);
    }

    @Test
    void fromBytes_newerVersion_isRefusedSayingToUpgrade() {
        byte[] bytes = MetadataCheckpointFormat.toBytes(RandomCheckpoints.checkpoint(new Random(1), 1000));
        ByteBuffer.wrap(bytes).putInt(4, MetadataCheckpointFormat.VERSION + 1);

        assertThatThrownBy(() -> MetadataCheckpointFormat.fromBytes("ckpt/metadata-1", bytes))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("ckpt/metadata-1")
                .hasMessageContaining("format version").hasMessageContaining("upgrade");
    }

    @Test
    void fromBytes_payloadChangedWithMatchingLength_isRefusedByTheCrc() {
        byte[] bytes = MetadataCheckpointFormat.toBytes(RandomCheckpoints.checkpoint(new Random(2), 1000));
        bytes[bytes.length - 1] ^= 1;

        assertThatThrownBy(() -> MetadataCheckpointFormat.fromBytes("f", bytes))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("CRC32C")
                .hasMessageContaining("offset 12");
    }

    @Test
    void fromBytes_bytesAppended_isRefusedNamingBothLengths() {
        byte[] bytes = MetadataCheckpointFormat.toBytes(RandomCheckpoints.checkpoint(new Random(3), 1000));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        int payload = bytes.length - MetadataCheckpointFormat.HEADER_BYTES;

        assertThatThrownBy(() -> MetadataCheckpointFormat.fromBytes("f", longer))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("a payload of " + payload + " bytes")
                .hasMessageContaining((payload + 3) + " bytes after the header");
    }
}
