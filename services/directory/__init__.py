"""Directory: the desks, agencies and informal resources (社会資源) of the network."""
