/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.flink;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.ccvit.schemas.CodebookRecord;
import org.ccvit.schemas.ImageRecord;
import org.ccvit.schemas.RejectRecord;
import org.ccvit.schemas.TokenIds;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.PipelineStage;
import org.ccvit.tokenizer.RejectedInputException;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.StageTimer;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.codebook.CodebookUsage;

/**
 * Keyed by sample key, with the codebook as broadcast state: each image becomes one {@link
 * TrainingSample} or one {@link RejectRecord} on {@link #REJECTS}. Images that arrive before any
 * codebook wait in keyed state and are released when it comes. The n-th time a key is seen it is
 * tokenized as epoch n, so a second pass over the same images draws new crops and masks.
 *
 * <p>Metrics per subtask: {@code samples}, {@code rejects}, the time spent in each stage as {@code
 * stageNanos.<decode|augment|tokenize|mask>} (divide by samples for the time per sample), and
 * {@code codebookUsage}, the share of the current codebook's centroids this subtask's samples used.
 */
public class TokenizeMaskFunction
    extends KeyedBroadcastProcessFunction<String, ImageRecord, CodebookRecord, TrainingSample> {

  /** Broadcast state: the current codebook under {@link #CURRENT}. */
  public static final MapStateDescriptor<String, CodebookRecord> CODEBOOK_STATE =
      new MapStateDescriptor<>("codebook", Types.STRING, new AvroTypeInfo<>(CodebookRecord.class));

  public static final OutputTag<RejectRecord> REJECTS =
      new OutputTag<>("rejects", new AvroTypeInfo<>(RejectRecord.class));

  /** Format marker set by readers for a record whose bytes did not parse; the source says why. */
  public static final String UNPARSEABLE_FORMAT = "unparseable";

  private static final String CURRENT = "current";

  private static final ListStateDescriptor<ImageRecord> PENDING =
      new ListStateDescriptor<>("pending-images", new AvroTypeInfo<>(ImageRecord.class));
  private static final ValueStateDescriptor<Integer> TIMES_SEEN =
      new ValueStateDescriptor<>("times-seen", Types.INT);

  private final TokenizerConfig config;

  private transient SampleMaker maker;
  private transient Counter samples;
  private transient Counter rejects;
  private transient StageTimer stageTimer;
  private transient CodebookUsage usage;

  public TokenizeMaskFunction(TokenizerConfig config) {
    this.config = config;
  }

  @Override
  public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
    samples = getRuntimeContext().getMetricGroup().counter("samples");
    rejects = getRuntimeContext().getMetricGroup().counter("rejects");
    getRuntimeContext()
        .getMetricGroup()
        .gauge("codebookUsage", () -> usage == null ? Double.NaN : usage.fraction());
    MetricGroup stages = getRuntimeContext().getMetricGroup().addGroup("stageNanos");
    Counter[] stageNanos = new Counter[PipelineStage.values().length];
    for (PipelineStage stage : PipelineStage.values()) {
      // Serialization happens downstream (Flink's network serializer or a sink's codec).
      if (stage != PipelineStage.SERIALIZE) {
        stageNanos[stage.ordinal()] = stages.counter(stage.label());
      }
    }
    stageTimer = (stage, nanos) -> stageNanos[stage.ordinal()].inc(nanos);
  }

  @Override
  public void processElement(ImageRecord image, ReadOnlyContext ctx, Collector<TrainingSample> out)
      throws Exception {
    CodebookRecord codebook = ctx.getBroadcastState(CODEBOOK_STATE).get(CURRENT);
    if (codebook == null) {
      getRuntimeContext().getListState(PENDING).add(image);
      return;
    }
    emit(image, codebook, out, ctx::output);
  }

  @Override
  public void processBroadcastElement(
      CodebookRecord codebook, Context ctx, Collector<TrainingSample> out) throws Exception {
    // Refuse an incompatible codebook before it replaces a working one.
    SampleMaker.requireCompatible(config, Codebook.fromRecord(codebook));
    BroadcastState<String, CodebookRecord> state = ctx.getBroadcastState(CODEBOOK_STATE);
    CodebookRecord previous = state.get(CURRENT);
    if (previous != null && previous.getVersion().equals(codebook.getVersion())) {
      return;
    }
    state.put(CURRENT, codebook);
    ctx.applyToKeyedState(
        PENDING,
        (key, pending) -> {
          List<ImageRecord> waiting = new ArrayList<>();
          pending.get().forEach(waiting::add);
          pending.clear();
          for (ImageRecord image : waiting) {
            emit(image, codebook, out, ctx::output);
          }
        });
  }

  private interface RejectOutput {
    void output(OutputTag<RejectRecord> tag, RejectRecord reject);
  }

  private void emit(
      ImageRecord image, CodebookRecord codebook, Collector<TrainingSample> out, RejectOutput rej)
      throws Exception {
    ValueState<Integer> timesSeen = getRuntimeContext().getState(TIMES_SEEN);
    int epoch = timesSeen.value() == null ? 0 : timesSeen.value();
    timesSeen.update(epoch + 1);
    TrainingSample sample;
    try {
      if (UNPARSEABLE_FORMAT.equals(image.getFormat())) {
        throw new RejectedInputException("parse", image.getSource());
      }
      sample = makerFor(codebook).make(image, epoch);
    } catch (RejectedInputException e) {
      reject(image, e.stage(), e.reason(), rej);
      return;
    } catch (RuntimeException e) {
      // An image no decoder rule foresaw must not stop the job: it is set aside with the cause.
      reject(image, "tokenize", e.toString(), rej);
      return;
    }
    // Outside the try: a failure of a chained downstream operator must fail the job, not
    // turn into a reject.
    usage.record(TokenIds.unpack(sample.getTokenIds()));
    out.collect(sample);
    samples.inc();
  }

  private void reject(ImageRecord image, String stage, String reason, RejectOutput rej) {
    rejects.inc();
    rej.output(
        REJECTS,
        RejectRecord.newBuilder()
            .setKey(image.getKey())
            .setStage(stage)
            .setReason(reason)
            .setSource(image.getSource())
            .build());
  }

  private SampleMaker makerFor(CodebookRecord codebook) {
    if (maker == null || !maker.codebook().version().equals(codebook.getVersion())) {
      Codebook current = Codebook.fromRecord(codebook);
      maker = new SampleMaker(config, current, stageTimer);
      usage = new CodebookUsage(current.k());
    }
    return maker;
  }
}
