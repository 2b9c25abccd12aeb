/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.options;

import picocli.CommandLine.Option;

/** The image view and patch geometry, shared by every command that cuts images into patches. */
public final class ViewOptions {

  @Option(
      names = "--image-size",
      defaultValue = "224",
      description = "Side of the square view the model sees (default: ${DEFAULT-VALUE}).")
  public int imageSize;

  @Option(
      names = "--patch-size",
      defaultValue = "16",
      description = "Patch side; must match the codebook's (default: ${DEFAULT-VALUE}).")
  public int patchSize;
}
