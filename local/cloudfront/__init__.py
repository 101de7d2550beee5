"""Stand-in for CloudFront: the headers the distribution adds to the web app's responses."""
