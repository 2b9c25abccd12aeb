/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.trainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.ccvit.schemas.AvroCodec;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.codebook.Codebook;

/**
 * Everything a {@link StreamTrainer} continues from, as one zip archive (stored, not compressed:
 * weights hardly compress and the trainer waits while it is written): {@value #MANIFEST} (format,
 * step, counts), {@value #WEIGHTS} (original names), {@value #OPTIMIZER} (AdamW moments and step
 * count), {@code codebooks/<i>.avro} (the version in use first, then those that arrived after it),
 * {@value #RETIRED} (one version per line), and the unfinished batch and the samples waiting for
 * their codebook ({@value #BATCH}, {@value #WAITING}: count, then length-prefixed Avro samples),
 * and the shuffle buffer's samples ({@value #SHUFFLE}, same layout; its draw count is in the
 * manifest; both are absent from snapshots written before the buffer existed, which held none). Any
 * zip tool can list it.
 */
public final class TrainerSnapshot {

  static final String MANIFEST = "snapshot.properties";
  static final String WEIGHTS = "weights.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String CODEBOOKS = "codebooks/";
  static final String RETIRED = "retired.txt";
  static final String BATCH = "batch.samples";
  static final String WAITING = "waiting.samples";
  static final String SHUFFLE = "shuffle.samples";

  private static final String FORMAT = "ccvit-trainer-snapshot-1";
  private static final AvroCodec<TrainingSample> SAMPLES = new AvroCodec<>(TrainingSample.class);
  private static final AvroCodec<CodebookRecord> CODEBOOK_RECORDS =
      new AvroCodec<>(CodebookRecord.class);

  private TrainerSnapshot() {}

  /** What is written. */
  record Contents(
      Trainer trainer,
      CodebookVersions versions,
      List<TrainingSample> batch,
      List<TrainingSample> waiting,
      List<TrainingSample> shuffled,
      long shuffleDraws,
      long staleSamples,
      long refusedSamples) {}

  /** What is read back besides the trainer's own weights and optimizer state. */
  record Restored(
      CodebookVersions versions,
      List<TrainingSample> batch,
      List<TrainingSample> waiting,
      List<TrainingSample> shuffled,
      long shuffleDraws,
      long staleSamples,
      long refusedSamples) {}

  static void write(Contents c, OutputStream out) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    zip.setLevel(Deflater.NO_COMPRESSION);
    Properties manifest = new Properties();
    manifest.setProperty("format", FORMAT);
    manifest.setProperty("step", Long.toString(c.trainer().stepCount()));
    manifest.setProperty("codebookInUse", Boolean.toString(c.versions().current() != null));
    manifest.setProperty("staleSamples", Long.toString(c.staleSamples()));
    manifest.setProperty("refusedSamples", Long.toString(c.refusedSamples()));
    manifest.setProperty("shuffleDraws", Long.toString(c.shuffleDraws()));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    manifest.store(text, null);
    entry(zip, MANIFEST, text.toByteArray());
    zip.putNextEntry(new ZipEntry(WEIGHTS));
    c.trainer().writeWeights(zip);
    zip.closeEntry();
    zip.putNextEntry(new ZipEntry(OPTIMIZER));
    c.trainer().writeOptimizerState(zip);
    zip.closeEntry();
    List<Codebook> known = c.versions().known();
    for (int i = 0; i < known.size(); i++) {
      entry(zip, CODEBOOKS + i + ".avro", CODEBOOK_RECORDS.encode(known.get(i).toRecord(Map.of())));
    }
    String retired = String.join("\n", c.versions().retired());
    entry(zip, RETIRED, retired.getBytes(StandardCharsets.UTF_8));
    entry(zip, BATCH, samples(c.batch()));
    entry(zip, WAITING, samples(c.waiting()));
    entry(zip, SHUFFLE, samples(c.shuffled()));
    // Ends the archive without closing the caller's stream.
    zip.finish();
  }

  /**
   * Loads the weights and optimizer state into {@code trainer} and returns the rest.
   *
   * @param source names the snapshot in messages
   */
  static Restored read(InputStream in, Trainer trainer, String source) throws IOException {
    ZipInputStream zip = new ZipInputStream(in);
    Properties manifest = null;
    Map<Integer, Codebook> codebooks = new HashMap<>();
    List<String> retired = List.of();
    List<TrainingSample> batch = null;
    List<TrainingSample> waiting = null;
    List<TrainingSample> shuffled = List.of();
    boolean weights = false;
    boolean optimizer = false;
    for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
      String name = e.getName();
      if (name.equals(WEIGHTS)) {
        trainer.readWeights(zip, source + "!" + name);
        weights = true;
      } else if (name.equals(OPTIMIZER)) {
        trainer.readOptimizerState(zip, source + "!" + name);
        optimizer = true;
      } else if (name.equals(MANIFEST)) {
        manifest = new Properties();
        manifest.load(new StringReader(new String(zip.readAllBytes(), StandardCharsets.UTF_8)));
      } else if (name.startsWith(CODEBOOKS)) {
        int index = Integer.parseInt(name.substring(CODEBOOKS.length(), name.indexOf('.')));
        codebooks.put(index, Codebook.fromRecord(CODEBOOK_RECORDS.decode(zip.readAllBytes())));
      } else if (name.equals(RETIRED)) {
        String text = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
        retired = text.isEmpty() ? List.of() : List.of(text.split("\n"));
      } else if (name.equals(BATCH)) {
        batch = samples(zip.readAllBytes());
      } else if (name.equals(WAITING)) {
        waiting = samples(zip.readAllBytes());
      } else if (name.equals(SHUFFLE)) {
        shuffled = samples(zip.readAllBytes());
      }
    }
    if (manifest == null || !FORMAT.equals(manifest.getProperty("format"))) {
      throw new IOException(
          source
              + " is not a trainer snapshot of format "
              + FORMAT
              + (manifest == null ? "" : " (it says " + manifest.getProperty("format") + ")"));
    }
    if (!weights || !optimizer || batch == null || waiting == null) {
      throw new IOException(source + " misses entries of a trainer snapshot");
    }
    long step = Long.parseLong(manifest.getProperty("step"));
    if (trainer.stepCount() != step) {
      throw new IOException(
          source + " holds optimizer state of step " + trainer.stepCount() + ", expected " + step);
    }
    List<Codebook> known = new ArrayList<>();
    for (int i = 0; i < codebooks.size(); i++) {
      Codebook codebook = codebooks.get(i);
      if (codebook == null) {
        throw new IOException(source + " misses codebook " + i + " of " + codebooks.size());
      }
      known.add(codebook);
    }
    return new Restored(
        CodebookVersions.of(
            known, Boolean.parseBoolean(manifest.getProperty("codebookInUse")), retired),
        batch,
        waiting,
        shuffled,
        Long.parseLong(manifest.getProperty("shuffleDraws", "0")),
        Long.parseLong(manifest.getProperty("staleSamples")),
        Long.parseLong(manifest.getProperty("refusedSamples")));
  }

  private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  private static byte[] samples(List<TrainingSample> samples) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(samples.size());
      for (TrainingSample s : samples) {
        byte[] encoded = SAMPLES.encode(s);
        out.writeInt(encoded.length);
        out.write(encoded);
      }
    }
    return bytes.toByteArray();
  }

  private static List<TrainingSample> samples(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int count = in.readInt();
      List<TrainingSample> samples = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] encoded = new byte[in.readInt()];
        in.readFully(encoded);
        samples.add(SAMPLES.decode(encoded));
      }
      return samples;
    }
  }
}
