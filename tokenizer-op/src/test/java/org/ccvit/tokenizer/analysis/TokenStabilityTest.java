/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ccvit.tokenizer.SharedData;
import org.ccvit.tokenizer.codebook.Codebook;
import org.ccvit.tokenizer.image.CenterView;
import org.ccvit.tokenizer.image.ImageDecoder;
import org.ccvit.tokenizer.image.ImageLimits;
import org.ccvit.tokenizer.image.RgbImage;
import org.ccvit.tokenizer.io.ImageSources;
import org.ccvit.tokenizer.patch.Patches;
import org.ccvit.tokenizer.search.NearestCentroidSearch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenStabilityTest {

  private static final int P = 16;
  private static List<RgbImage> views;

  @BeforeAll
  static void readImages() throws Exception {
    List<byte[]> encoded = new ArrayList<>();
    ImageSources.readAll(
        List.of(SharedData.dataset("imagenette-224/val-00000.tar.gz")),
        6,
        r -> {
          byte[] bytes = new byte[r.getImage().remaining()];
          r.getImage().duplicate().get(bytes);
          encoded.add(bytes);
        });
    ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    views = new ArrayList<>();
    for (byte[] bytes : encoded) {
      views.add(CenterView.of(decoder.decode(bytes), 224));
    }
  }

  private static float[] patches(RgbImage view) {
    return Patches.fromChwBytes(view.chw(), 3, view.height(), view.width(), P);
  }

  /** A codebook of the patches of the last images, which the tested images are not among. */
  private static Codebook otherImagesCodebook() {
    float[] a = patches(views.get(4));
    float[] b = patches(views.get(5));
    float[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return new Codebook("others", 392, P, 3, both);
  }

  @Test
  void noNoiseAndNoMaskLeaveEveryTokenAndRealNoiseDoesNot() {
    TokenStability stability =
        new TokenStability(
            List.of(
                new GaussianNoise(0, P),
                new MaskedPatches(0, P, MaskedPatches.IMAGENET_MEAN_RGB),
                new GaussianNoise(25, P)),
            P);
    NearestCentroidSearch search = NearestCentroidSearch.exact(otherImagesCodebook());
    for (int i = 0; i < 4; i++) {
      stability.add(views.get(i), search, new SplittableRandom(i));
    }
    List<TokenStability.Row> rows = stability.rows();
    assertEquals(4 * 196, rows.get(0).positions());
    assertEquals(100.0, rows.get(0).percentUnchanged());
    assertEquals(100.0, rows.get(1).percentUnchanged());
    assertEquals(0, rows.get(1).targeted());
    assertTrue(rows.get(2).percentUnchanged() < 90, rows.get(2).toString());
  }

  @Test
  void withTheImagesOwnPatchesAsCodebookEveryUnmaskedTokenStaysAndTheMaskedShareIsTheRatio() {
    RgbImage view = views.get(0);
    Codebook own = new Codebook("own", 196, P, 3, patches(view));
    NearestCentroidSearch search = NearestCentroidSearch.exact(own);
    int[] clean = search.assign(patches(view), 196);
    for (int j = 0; j < 196; j++) {
      // Each patch is its own nearest centroid, or an identical earlier patch (lowest index wins).
      assertTrue(clean[j] <= j && Arrays.equals(centroid(own, clean[j]), centroid(own, j)));
    }
    TokenStability stability =
        new TokenStability(
            List.of(
                new MaskedPatches(0.1, P, MaskedPatches.IMAGENET_MEAN_RGB),
                new MaskedPatches(0.5, P, MaskedPatches.IMAGENET_MEAN_RGB)),
            P);
    stability.add(view, search, new SplittableRandom(7));
    TokenStability.Row ten = stability.rows().get(0);
    TokenStability.Row half = stability.rows().get(1);
    assertEquals(20, ten.targeted());
    assertEquals(98, half.targeted());
    assertEquals(100.0, ten.percentUntargetedUnchanged());
    assertEquals(100.0, half.percentUntargetedUnchanged());
    // A flat grey patch is at most one patch's nearest: the masked ones all change but one.
    assertTrue(ten.targetedUnchanged() <= 1 && half.targetedUnchanged() <= 1, ten + " " + half);
  }

  private static float[] centroid(Codebook codebook, int id) {
    float[] out = new float[codebook.dim()];
    codebook.copyCentroid(id, out, 0);
    return out;
  }

  @Test
  void maskedPatchesHoldTheFillColourAndNothingElseChanges() {
    RgbImage view = views.get(1);
    ViewPerturbation.Perturbed p =
        new MaskedPatches(0.2, P, new int[] {1, 2, 3}).apply(view, new SplittableRandom(3));
    float[] before = patches(view);
    float[] after = patches(p.view());
    int dim = 3 * P * P;
    for (int j = 0; j < 196; j++) {
      float[] patch = Arrays.copyOfRange(after, j * dim, (j + 1) * dim);
      if (p.targeted()[j]) {
        for (int c = 0; c < 3; c++) {
          for (int i = 0; i < P * P; i++) {
            assertEquals((c + 1) / 255f, patch[c * P * P + i]);
          }
        }
      } else {
        assertArrayEquals(Arrays.copyOfRange(before, j * dim, (j + 1) * dim), patch);
      }
    }
  }

  @Test
  void blurKeepsAFlatImageAndItsKernelIsTheGaussian() {
    byte[] flat = new byte[3 * 32 * 32];
    Arrays.fill(flat, (byte) 200);
    RgbImage image = new RgbImage(32, 32, flat);
    assertArrayEquals(
        flat, new GaussianBlur(2, P).apply(image, new SplittableRandom(0)).view().chw());
    double[] k = new GaussianBlur(1, P).kernel();
    assertEquals(7, k.length);
    assertEquals(1.0, Arrays.stream(k).sum(), 1e-12);
    assertEquals(Math.exp(-0.5), k[4] / k[3], 1e-12);
    assertEquals(Math.exp(-2.0), k[5] / k[3], 1e-12);
    assertEquals(1, GaussianBlur.reflect(-1, 10));
    assertEquals(8, GaussianBlur.reflect(10, 10));
    assertEquals(3, GaussianBlur.reflect(3, 10));
  }

  @Test
  void noiseIsClippedNotWrappedAround() {
    RgbImage image = new RgbImage(1, 1, new byte[] {0, (byte) 255, (byte) 128});
    int maxOfBlack = 0;
    int minOfWhite = 255;
    for (int seed = 0; seed < 50; seed++) {
      byte[] noisy = new GaussianNoise(25, 1).apply(image, new SplittableRandom(seed)).view().chw();
      maxOfBlack = Math.max(maxOfBlack, noisy[0] & 0xff);
      minOfWhite = Math.min(minOfWhite, noisy[1] & 0xff);
    }
    // Without clipping a negative value would wrap to near 255 and vice versa.
    assertTrue(maxOfBlack > 0 && maxOfBlack < 128, "black went up to " + maxOfBlack);
    assertTrue(minOfWhite < 255 && minOfWhite > 128, "white went down to " + minOfWhite);
  }
}
