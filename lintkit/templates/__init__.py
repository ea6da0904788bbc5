"""CloudFormation/SAM templates: loading with positions, and the template model."""
