/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.ImageShrinker;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.io.SeededReadOrder;

/** Publishes image records (ingest) and codebooks to Kafka as Avro binary values. */
public final class KafkaPublisher implements AutoCloseable {

  /** What ingest does with an image whose record exceeds the record limit. */
  public enum Oversize {
    /** Do not send it; list it as refused. */
    REFUSE,
    /** Re-encode it as a smaller JPEG (bicubic, aspect ratio kept) until it fits. */
    DOWNSCALE
  }

  /**
   * The largest record value ingest sends (set it to the broker's {@code message.max.bytes} or the
   * topic's {@code max.message.bytes}, less about 1 KB of batch overhead) and what happens to
   * larger images.
   */
  public record RecordLimit(int maxBytes, Oversize oversize) {
    /** Kafka's default broker limit (1 MB) with room for the batch overhead. */
    public static final int KAFKA_DEFAULT_BYTES = 1_000_000;

    public RecordLimit {
      if (maxBytes < 1024 || maxBytes > KafkaSettings.MAX_RECORD_BYTES) {
        throw new IllegalArgumentException(
            "record limit "
                + maxBytes
                + " bytes must be in [1024, "
                + KafkaSettings.MAX_RECORD_BYTES
                + "], the producer's max.request.size");
      }
    }
  }

  /** What an ingest did: records sent, and the images refused or downscaled with why. */
  public record IngestReport(long sent, List<String> refused, List<String> downscaled) {}

  private final KafkaProducer<byte[], byte[]> producer;

  public KafkaPublisher(KafkaSettings kafka) {
    this.producer = new KafkaProducer<>(kafka.producerProperties());
  }

  /**
   * Sends every image of the inputs, {@code passes} times over (each pass is one more epoch for the
   * pre-training job), at most {@code limit} images per pass (0: all). An image whose record
   * exceeds the record limit is refused or downscaled, as the limit says, and listed (once).
   */
  public IngestReport publishImages(
      List<Path> inputs, String topic, int passes, long limit, RecordLimit recordLimit)
      throws IOException {
    return publishImages(inputs, topic, passes, limit, recordLimit, null, () -> {});
  }

  /**
   * As {@link #publishImages(List, String, int, long, RecordLimit)}, each pass in the seeded order
   * {@code order} gives it (all images: a limit needs the inputs' own order), or in the inputs' own
   * order when it is null; {@code onSent} is told of every record sent.
   */
  public IngestReport publishImages(
      List<Path> inputs,
      String topic,
      int passes,
      long limit,
      RecordLimit recordLimit,
      SeededReadOrder order,
      Runnable onSent)
      throws IOException {
    if (order != null && limit > 0) {
      throw new IllegalArgumentException(
          "a limit takes the first images in the inputs' own order: it cannot be combined with a"
              + " shuffled order (give the images to send instead)");
    }
    AvroCodec<ImageRecord> codec = new AvroCodec<>(ImageRecord.class);
    ImageShrinker shrinker = new ImageShrinker(ImageLimits.defaults());
    List<Path> units = ImageSources.expand(inputs);
    List<String> refused = new ArrayList<>();
    List<String> downscaled = new ArrayList<>();
    long[] sent = {0};
    for (int pass = 0; pass < passes; pass++) {
      boolean firstPass = pass == 0;
      Consumer<ImageRecord> send =
          record -> {
            byte[] value = codec.encode(record);
            if (value.length > recordLimit.maxBytes()) {
              String why =
                  value.length
                      + " bytes exceed the record limit of "
                      + recordLimit.maxBytes()
                      + " bytes";
              if (recordLimit.oversize() == Oversize.REFUSE) {
                if (firstPass) {
                  refused.add(
                      record.getKey()
                          + ": "
                          + why
                          + " (raise --max-record-bytes with the broker's message.max.bytes,"
                          + " or use --oversize downscale)");
                }
                return;
              }
              int overhead = value.length - record.getImage().remaining();
              try {
                ImageShrinker.Shrunk shrunk =
                    shrinker.shrink(bytes(record), recordLimit.maxBytes() - overhead - 64);
                String note =
                    String.format(
                        Locale.ROOT,
                        "%dx%d downscaled to %dx%d JPEG (%s)",
                        shrunk.fromWidth(),
                        shrunk.fromHeight(),
                        shrunk.width(),
                        shrunk.height(),
                        why);
                record.setImage(ByteBuffer.wrap(shrunk.jpeg()));
                record.setFormat("jpg");
                record.setSource(record.getSource() + " [" + note + "]");
                value = codec.encode(record);
                if (firstPass) {
                  downscaled.add(record.getKey() + ": " + note);
                }
              } catch (RejectedInputException e) {
                if (firstPass) {
                  refused.add(record.getKey() + ": " + why + "; " + e.getMessage());
                }
                return;
              }
            }
            producer.send(
                new ProducerRecord<>(
                    topic, record.getKey().getBytes(StandardCharsets.UTF_8), value));
            sent[0]++;
            onSent.run();
          };
      if (order == null) {
        ImageSources.readAll(units, limit, send);
      } else {
        order.read(units, pass, send);
      }
    }
    producer.flush();
    return new IngestReport(sent[0], refused, downscaled);
  }

  private static byte[] bytes(ImageRecord record) {
    ByteBuffer copy = record.getImage().duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  public void publishCodebook(CodebookRecord codebook, String topic)
      throws ExecutionException, InterruptedException {
    byte[] value = new AvroCodec<>(CodebookRecord.class).encode(codebook);
    if (value.length > KafkaSettings.MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "codebook "
              + codebook.getVersion()
              + " is "
              + value.length
              + " bytes, above the record limit of "
              + KafkaSettings.MAX_RECORD_BYTES);
    }
    producer
        .send(
            new ProducerRecord<>(
                topic, codebook.getVersion().getBytes(StandardCharsets.UTF_8), value))
        .get();
  }

  @Override
  public void close() {
    producer.close();
  }
}
