/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.ccvit.jobs.options.ModelOptions;
import org.ccvit.jobs.report.PatchImages;
import org.ccvit.jobs.report.ReconstructionPanels;
import org.ccvit.schemas.TrainingSample;
import org.ccvit.tokenizer.SampleMaker;
import org.ccvit.tokenizer.TokenizerConfig;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.trainer.Predictor;
import org.ccvit.trainer.SamplePrediction;
import org.ccvit.trainer.model.CcvitConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The paper's Figs. 5 and 6: what a model predicts for masked and replaced patches. */
@Command(
    name = "reconstruct",
    mixinStandardHelpOptions = true,
    description =
        "Pictures of what a model predicts: for each image's center view, a row of the original,"
            + " the masked and replaced input (masked patches in the ImageNet mean colour,"
            + " replaced ones showing their own token's centroid), the centroids of the predicted"
            + " tokens, and the pixel prediction de-normalised with each patch's mean and"
            + " standard deviation (the last two show the original outside the corrupted"
            + " positions). Writes DIR/<key>.png per image and DIR/grid.png with all rows.")
final class ReconstructCommand implements Callable<Integer> {

  @Mixin ModelOptions model;

  @Option(names = "--weights", required = true, description = "Model weights (safetensors).")
  Path weights;

  @Option(
      names = "--codebook",
      required = true,
      description = "The codebook the model was trained with (centroids.npy).")
  Path codebookFile;

  @Option(
      names = "--images",
      arity = "1..*",
      required = true,
      description = "Image files, folders or WebDataset shards.")
  List<Path> images;

  @Option(
      names = "--limit",
      defaultValue = "4",
      description = "Images to draw, from the start (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Option(
      names = "--scale",
      defaultValue = "1",
      description = "Enlarge every picture this many times (default: ${DEFAULT-VALUE}).")
  int scale;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the masks and replaced patches (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    int size = model.imageSize();
    Codebook codebook = Codebook.readNpy(codebookFile, model.patchSize(), 3);
    CcvitConfig config = model.model(codebook.k());
    SampleMaker maker =
        new SampleMaker(TokenizerConfig.forSize(size, model.patchSize(), seed), codebook);
    List<CenterViews.View> views = CenterViews.read(images, limit, size, 2);
    List<TrainingSample> samples = new ArrayList<>();
    for (CenterViews.View view : views) {
      samples.add(maker.make(view.key(), 0, view.image()));
    }
    List<SamplePrediction> predictions;
    try (Predictor predictor = new Predictor(config, codebook, weights)) {
      predictions = predictor.predict(samples);
    }
    Files.createDirectories(out);
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      List<BufferedImage> row = new ArrayList<>();
      for (float[] panel : ReconstructionPanels.of(samples.get(i), codebook, predictions.get(i))) {
        row.add(PatchImages.enlarge(PatchImages.image(panel, size, model.patchSize()), scale));
      }
      SamplePrediction p = predictions.get(i);
      Path file = out.resolve(fileName(samples.get(i).getKey()) + ".png");
      ImageIO.write(
          PatchImages.grid(List.of(row), ReconstructionPanels.TITLES, null), "png", file.toFile());
      System.out.printf(
          "reconstruct: %s: %d of %d masked tokens predicted right -> %s%n",
          samples.get(i).getKey(), p.correctMasked(), p.masked(), file);
      rows.add(row);
    }
    Path grid = out.resolve("grid.png");
    ImageIO.write(PatchImages.grid(rows, ReconstructionPanels.TITLES, null), "png", grid.toFile());
    System.out.println("reconstruct: " + rows.size() + " images -> " + grid);
    return 0;
  }

  /** A key (which may hold slashes) as a file name. */
  private static String fileName(String key) {
    return key.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
