package main

import (
	"fmt"
	"regexp"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// Variables whose values are secrets: set only from a Secret (secretKeyRef), never literally.
// The database and Redis URLs count: they carry the password where there is one.
var secretName = regexp.MustCompile(`(SECRET|PASSWORD|TOKEN|_KEY|_KEYS)$|^(MONGODB|REDIS)_URL$`)

type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	budgets     []*policyv1.PodDisruptionBudget
	autoscalers []*autoscalingv2.HorizontalPodAutoscaler
}

func check(objects []runtime.Object) []string {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var m manifests
	for _, object := range objects {
		switch o := object.(type) {
		case *appsv1.Deployment:
			m.deployments = append(m.deployments, o)
			checkPod("Deployment "+o.Name, &o.Spec.Template.Spec, true, report)
		case *batchv1.Job:
			checkPod("Job "+o.Name, &o.Spec.Template.Spec, false, report)
			if o.Spec.BackoffLimit == nil {
				report("Job %s: no backoffLimit (the default, 6, is chosen by nobody)", o.Name)
			}
		case *corev1.Service:
			m.services = append(m.services, o)
		case *policyv1.PodDisruptionBudget:
			m.budgets = append(m.budgets, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			m.autoscalers = append(m.autoscalers, o)
		case *corev1.ConfigMap:
			for key := range o.Data {
				if secretName.MatchString(key) {
					report("ConfigMap %s: %s looks like a secret; keep it in a Secret", o.Name, key)
				}
			}
		case *corev1.Secret:
			report("Secret %s: secrets are created in the cluster, never kept in these manifests", o.Name)
		default:
			report("%T: not a kind deploy/ should hold", object)
		}
	}
	for _, d := range m.deployments {
		checkDeployment(d, &m, report)
	}
	for _, hpa := range m.autoscalers {
		if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "Deployment" || m.deployment(ref.Name) == nil {
			report("HorizontalPodAutoscaler %s: scales %s %s, which is not here", hpa.Name, ref.Kind, ref.Name)
		}
	}
	return problems
}

func (m *manifests) deployment(name string) *appsv1.Deployment {
	for _, d := range m.deployments {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func selects(selector *metav1.LabelSelector, podLabels map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && !s.Empty() && s.Matches(labels.Set(podLabels))
}

func checkDeployment(d *appsv1.Deployment, m *manifests, report func(string, ...any)) {
	podLabels := d.Spec.Template.Labels
	if !selects(d.Spec.Selector, podLabels) {
		report("Deployment %s: its selector does not match its own pods", d.Name)
	}
	var service *corev1.Service
	for _, s := range m.services {
		if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(podLabels)) {
			service = s
		}
	}
	if service == nil {
		report("Deployment %s: no Service selects its pods", d.Name)
	} else {
		for _, port := range service.Spec.Ports {
			if !hasPort(d.Spec.Template.Spec.Containers, port.TargetPort.String()) {
				report("Service %s: port %s targets %s, which no container of Deployment %s declares", service.Name, port.Name, port.TargetPort.String(), d.Name)
			}
		}
	}
	var budget *policyv1.PodDisruptionBudget
	for _, b := range m.budgets {
		if selects(b.Spec.Selector, podLabels) {
			budget = b
		}
	}
	if budget == nil {
		report("Deployment %s: no PodDisruptionBudget covers its pods", d.Name)
	}
	var autoscaler *autoscalingv2.HorizontalPodAutoscaler
	for _, hpa := range m.autoscalers {
		if hpa.Spec.ScaleTargetRef.Name == d.Name {
			autoscaler = hpa
		}
	}
	switch {
	case autoscaler != nil && d.Spec.Replicas != nil:
		report("Deployment %s: sets replicas although HorizontalPodAutoscaler %s owns the count (each apply would reset it)", d.Name, autoscaler.Name)
	case autoscaler != nil && (autoscaler.Spec.MinReplicas == nil || *autoscaler.Spec.MinReplicas < 2):
		report("HorizontalPodAutoscaler %s: minReplicas under 2 leaves the PodDisruptionBudget nothing to keep", autoscaler.Name)
	case autoscaler == nil && (d.Spec.Replicas == nil || *d.Spec.Replicas < 2):
		report("Deployment %s: fewer than 2 replicas, so a drain or a rollout takes it down", d.Name)
	}
}

func hasPort(containers []corev1.Container, target string) bool {
	for _, c := range containers {
		for _, p := range c.Ports {
			if p.Name == target || fmt.Sprint(p.ContainerPort) == target {
				return true
			}
		}
	}
	return false
}

func checkPod(owner string, pod *corev1.PodSpec, serves bool, report func(string, ...any)) {
	podNonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	podUser := pod.SecurityContext != nil && pod.SecurityContext.RunAsUser != nil && *pod.SecurityContext.RunAsUser != 0
	all := append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...)
	for i, c := range all {
		where := fmt.Sprintf("%s, container %s", owner, c.Name)
		sc := c.SecurityContext
		if sc == nil {
			sc = &corev1.SecurityContext{}
		}
		if !(podNonRoot || (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot)) {
			report("%s: runAsNonRoot is not true", where)
		}
		// The images' user is a name (node), which the kubelet cannot prove non-root: a uid must be given.
		if !(podUser || (sc.RunAsUser != nil && *sc.RunAsUser != 0)) {
			report("%s: no non-zero runAsUser", where)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			report("%s: allowPrivilegeEscalation is not false", where)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			report("%s: readOnlyRootFilesystem is not true", where)
		}
		if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			report("%s: capabilities do not drop ALL", where)
		}
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := c.Resources.Requests[name]; !ok || q.Cmp(resource.Quantity{}) <= 0 {
				report("%s: no %s request", where, name)
			}
		}
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			report("%s: no memory limit", where)
		}
		for _, from := range c.EnvFrom {
			if from.SecretRef != nil {
				report("%s: envFrom a Secret; name each secret variable with secretKeyRef", where)
			}
		}
		for _, env := range c.Env {
			if !secretName.MatchString(env.Name) {
				continue
			}
			if env.ValueFrom == nil || env.ValueFrom.SecretKeyRef == nil {
				report("%s: %s must come from a Secret (valueFrom.secretKeyRef), never a literal or a ConfigMap", where, env.Name)
			}
		}
		if !serves || i < len(pod.InitContainers) {
			continue
		}
		for kind, probe := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			if probe == nil {
				report("%s: no %s probe", where, kind)
			} else if probe.HTTPGet != nil && !hasPort([]corev1.Container{c}, probe.HTTPGet.Port.String()) {
				report("%s: %s probe asks port %s, which the container does not declare", where, kind, probe.HTTPGet.Port.String())
			}
		}
	}
}
