/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ccvit.tokenizer.npy.Npy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each command's typical mistakes give one line {@code ccvit <command>: <reason>} and exit 2. */
class ErrorReportingTest {

  @TempDir Path dir;
  private Path codebook;
  private Path textFile;

  @BeforeEach
  void files() throws IOException {
    codebook = dir.resolve("centroids.npy");
    Npy.writeFloat32(codebook, new float[16 * 768], 16, 768);
    textFile = Files.writeString(dir.resolve("notes.txt"), "not a codebook, not weights");
  }

  @Test
  void missingInputFolder() {
    assertOneLine(
        "ccvit pretrain: input /nonexistent does not exist",
        "pretrain",
        "--images",
        "/nonexistent",
        "--codebook",
        codebook.toString(),
        "--out",
        out());
  }

  @Test
  void missingImagesToIngest() {
    assertOneLine(
        "ccvit ingest: input /nonexistent does not exist",
        "ingest",
        "--bootstrap-servers",
        "localhost:1",
        "/nonexistent");
  }

  @Test
  void textFileGivenAsCodebook() {
    assertOneLine(
        "ccvit pretrain: codebook file " + textFile,
        "pretrain",
        "--images",
        dir.toString(),
        "--codebook",
        textFile.toString(),
        "--out",
        out());
    assertOneLine(
        "ccvit tokenize: codebook file " + textFile,
        "tokenize",
        "--codebook",
        textFile.toString(),
        "--images",
        dir.toString(),
        "--out",
        out());
  }

  @Test
  void missingCodebookFile() {
    assertOneLine(
        "ccvit tokenize: no such file: " + dir.resolve("absent.npy"),
        "tokenize",
        "--codebook",
        dir.resolve("absent.npy").toString(),
        "--images",
        dir.toString(),
        "--out",
        out());
  }

  @Test
  void sizesThatDoNotFit() {
    assertOneLine(
        "ccvit pretrain: --image-size 30 is not a multiple of --patch-size 16",
        "pretrain",
        "--images",
        dir.toString(),
        "--codebook",
        codebook.toString(),
        "--out",
        out(),
        "--image-size",
        "30");
  }

  @Test
  void weightsThatAreNotWeights() {
    assertOneLine(
        "ccvit weights export: no weights at /nonexistent",
        "weights",
        "export",
        "--checkpoint",
        "/nonexistent",
        "--out",
        out());
    assertOneLine(
        "ccvit weights import: " + textFile + " is not a safetensors file",
        "weights",
        "import",
        "--in",
        textFile.toString(),
        "--model",
        "tiny",
        "--out",
        out());
  }

  @Test
  void missingOptionNamesTheCommandAndItsHelp() {
    Result result = run("pretrain", "--images", "/nonexistent");
    assertEquals(2, result.code);
    assertTrue(result.err.startsWith("ccvit pretrain: Missing required options"), result.err);
    assertTrue(result.err.strip().endsWith("(see 'ccvit pretrain --help')"), result.err);
  }

  @Test
  void verboseAddsTheStackTrace() {
    Result result =
        run(
            "pretrain",
            "--verbose",
            "--images",
            "/nonexistent",
            "--codebook",
            codebook.toString(),
            "--out",
            out());
    assertEquals(2, result.code);
    assertTrue(result.err.startsWith("ccvit pretrain: input /nonexistent"), result.err);
    assertTrue(result.err.contains("\tat org.ccvit."), result.err);
  }

  @Test
  void internalFailureKeepsItsTraceAndExitsWithOne() {
    CommandLine command = Ccvit.commandLine();
    StringWriter err = new StringWriter();
    command.setErr(new PrintWriter(err));
    int code =
        new ErrorReporting(false)
            .handleExecutionException(
                new IllegalStateException("a bug"),
                command,
                command.parseArgs("tokenize", "--codebook", "c", "--images", "i", "--out", "o"));
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("java.lang.IllegalStateException: a bug"), err.toString());
    assertTrue(err.toString().contains("\tat "), err.toString());
  }

  private String out() {
    return dir.resolve("out").toString();
  }

  private static void assertOneLine(String expectedStart, String... args) {
    Result result = run(args);
    assertEquals(2, result.code, result.err);
    assertTrue(result.err.startsWith(expectedStart), result.err);
    assertFalse(result.err.contains("\tat "), "no stack trace without --verbose:\n" + result.err);
    assertFalse(result.err.contains("Exception"), result.err);
  }

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Ccvit.commandLine().setErr(new PrintWriter(err)).execute(args);
    return new Result(code, err.toString());
  }

  private record Result(int code, String err) {}
}
