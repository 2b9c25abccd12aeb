/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.tokenizer;

/**
 * An input the pipeline cannot use (undecodable bytes, an image too large, ...). It is a checked
 * exception so that every stage has to decide where a rejected input goes (usually a reject
 * record), instead of failing the job.
 */
public final class RejectedInputException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String stage;
  private final String reason;

  /**
   * @param stage the pipeline stage that rejected the input, e.g. "decode" or "augment"
   * @param reason what is wrong with the input and what was expected
   */
  public RejectedInputException(String stage, String reason) {
    super(stage + ": " + reason);
    this.stage = stage;
    this.reason = reason;
  }

  public RejectedInputException(String stage, String reason, Throwable cause) {
    super(stage + ": " + reason, cause);
    this.stage = stage;
    this.reason = reason;
  }

  public String stage() {
    return stage;
  }

  public String reason() {
    return reason;
  }
}
