"""Chapter 5's models: memory virtualization measured on running guests."""
