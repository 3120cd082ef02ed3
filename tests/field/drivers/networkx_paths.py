"""Field driver: networkx builds graphs and runs a few algorithms (paths, flows, centrality)."""

import networkx as nx

g = nx.petersen_graph()
print(nx.shortest_path(g, 0, 7), nx.diameter(g), nx.is_bipartite(g))
d = nx.DiGraph()
d.add_weighted_edges_from(
    [("s", "a", 3), ("s", "b", 2), ("a", "t", 2), ("b", "t", 3), ("a", "b", 1)], weight="capacity"
)
print(nx.maximum_flow_value(d, "s", "t"))
print(sorted(round(v, 4) for v in nx.betweenness_centrality(nx.path_graph(5)).values()))
print(nx.to_dict_of_lists(nx.complete_graph(3)))
