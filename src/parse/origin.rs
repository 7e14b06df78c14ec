//! What a log file's path says of where its lines come from: the kubelet's
//! `/var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log` and `/var/log/containers/
//! POD_NAMESPACE_CONTAINER-ID.log` name the pod and container, Docker's
//! `/var/lib/docker/containers/ID/ID-json.log` the container. Must not read the file.

/// The names a path gives; all `None` for a path that follows none of the layouts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathNames {
    pub namespace: Option<String>,
    pub pod: Option<String>,
    /// The container's name (kubelet), or the first 12 digits of its id (Docker).
    pub container: Option<String>,
}

pub fn of_path(path: &str) -> PathNames {
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    let pod = |ns: &str, pod: &str, container: &str| PathNames {
        namespace: Some(ns.to_string()),
        pod: Some(pod.to_string()),
        container: Some(container.to_string()),
    };
    if let Some(i) = parts.windows(2).position(|w| w == ["log", "pods"])
        && n >= i + 5
    {
        let mut f = parts[i + 2].splitn(3, '_');
        if let (Some(ns), Some(p), Some(_uid)) = (f.next(), f.next(), f.next()) {
            return pod(ns, p, parts[i + 3]);
        }
    }
    let Some(&file) = parts.last() else {
        return PathNames::default();
    };
    if let Some(stem) = file.strip_suffix("-json.log")
        && n >= 3
        && parts[n - 2] == stem
        && parts[n - 3] == "containers"
        && stem.len() == 64
        && stem.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return PathNames {
            container: Some(stem[..12].to_string()),
            ..PathNames::default()
        };
    }
    if n >= 2
        && parts[n - 2] == "containers"
        && let Some(stem) = file.strip_suffix(".log")
        && let Some((rest, id)) = stem.rsplit_once('-')
        && id.len() == 64
    {
        // POD_NAMESPACE_CONTAINER-ID: the id is 64 hex digits after the last dash.
        let mut f = rest.splitn(3, '_');
        if let (Some(p), Some(ns), Some(container)) = (f.next(), f.next(), f.next()) {
            return pod(ns, p, container);
        }
    }
    PathNames::default()
}
